import FaafoMetrics
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
