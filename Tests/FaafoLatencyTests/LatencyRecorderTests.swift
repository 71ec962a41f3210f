import FaafoLatency
import Histogram
import Testing

@Suite struct LatencyRecorderTests {
    @Test func percentilesOfAKnownDistribution() {
        var recorder = LatencyRecorder()
        for micros in 1...1000 { recorder.record(microseconds: UInt64(micros) * 1000) }  // 1 ms … 1 s
        let summary = recorder.summary
        #expect(summary.count == 1000)
        #expect(abs(summary.p50 - 500) <= 0.5)
        #expect(abs(summary.p90 - 900) <= 0.9)
        #expect(abs(summary.p99 - 990) <= 1)
        #expect(abs(summary.max - 1000) <= 1)
        #expect(abs(summary.mean - 500.5) <= 0.5)
    }

    /// The percentiles come from the recorded values, not from a walk over the buckets:
    /// they must be exactly what the histogram itself reports, merged recorders and values
    /// past the hour it is first sized for included.
    @Test(arguments: [1, 2, 7, 100, 600, 5000])
    func percentilesAreTheHistogramsOwn(count: Int) {
        var generator = SystemRandomNumberGenerator()
        var recorder = LatencyRecorder()
        var other = LatencyRecorder()
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        for index in 0..<count {
            let scale: UInt64 = [10, 1000, 1_000_000, 10_000_000_000][index % 4]
            let micros = UInt64.random(in: 0...scale, using: &generator)
            if index.isMultiple(of: 3) { other.record(microseconds: micros) } else { recorder.record(microseconds: micros) }
            _ = histogram.record(micros)
        }
        recorder.add(other)
        let summary = recorder.summary
        #expect(summary.count == count)
        #expect(summary.p50 == Double(histogram.valueAtPercentile(50)) / 1000)
        #expect(summary.p90 == Double(histogram.valueAtPercentile(90)) / 1000)
        #expect(summary.p99 == Double(histogram.valueAtPercentile(99)) / 1000)
        #expect(summary.max == Double(histogram.maxRecorded) / 1000)
    }

    @Test func durationsAreRecordedInMicroseconds() {
        var recorder = LatencyRecorder()
        recorder.record(.milliseconds(3))
        recorder.record(.microseconds(1500))
        #expect(recorder.summary.max == 3)
        #expect(recorder.summary.count == 2)
    }

    @Test func mergingAddsCounts() {
        var a = LatencyRecorder()
        var b = LatencyRecorder()
        a.record(microseconds: 100)
        b.record(microseconds: 200_000)
        a.add(b)
        #expect(a.count == 2)
        #expect(a.summary.max == 200)
    }

    @Test func anEmptyRecorderSummarisesToZeroes() {
        #expect(LatencyRecorder().summary == LatencySummary())
    }

    @Test func millisecondsAreFormattedToThreeFigures() {
        #expect(formatMilliseconds(0.4213) == "0.42 ms")
        #expect(formatMilliseconds(12.34) == "12.3 ms")
        #expect(formatMilliseconds(250) == "250 ms")
        #expect(formatMilliseconds(1520) == "1.52 s")
        #expect(formatMilliseconds(3) == "3.00 ms")
    }
}
