import FaafoWire
import Foundation
import Testing

@testable import FaafoLoad

/// The report's figures, CSV and HTML, from records made by hand.
@Suite struct LoadReportTests {
    static func record(
        _ index: Int, _ status: TaskRecord.Status, sent: Double, create: Double? = 0.002, stored: Double? = nil,
        worker: String? = nil, problem: String? = nil
    ) -> TaskRecord {
        var record = TaskRecord(index: index, uuid: "uuid-\(index)", status: status, sentAt: .seconds(sent))
        record.createLatency = create.map { .seconds($0) }
        record.storedLatency = stored.map { .seconds($0) }
        record.generatedBy = worker
        record.problem = problem
        return record
    }

    static let run = LoadRun(
        plan: LoadPlan(tasks: 6, pacing: .closedLoop(concurrency: 2), timeout: .seconds(30)),
        records: [
            record(0, .completed, sent: 0, stored: 0.5, worker: "w2"),
            record(1, .completed, sent: 0.1, stored: 0.4, worker: "w1"),
            record(2, .completed, sent: 1.0, stored: 1.0, worker: "w1"),
            record(3, .failed, sent: 1.2, create: nil, problem: "cannot connect to x: connection refused"),
            record(4, .failed, sent: 1.3, create: nil, problem: "cannot connect to x: connection refused"),
            record(5, .timedOut, sent: 1.5, problem: "not stored, \"quoted\", in time"),
        ],
        elapsed: .seconds(3), polls: 9)

    @Test func countsLatenciesWorkersAndThroughput() throws {
        let report = LoadReport(Self.run, endpoint: "http://127.0.0.1:9")
        #expect(report.tasks == .init(submitted: 6, completed: 3, failed: 2, timedOut: 1, verified: 0))
        #expect(report.workers == ["w1": 2, "w2": 1])
        #expect(report.latency.create.count == 4)
        #expect(report.latency.stored.count == 3)
        #expect(abs(report.latency.stored.max - 1000) < 1)
        #expect(abs(report.latency.stored.p50 - 500) < 1)
        // Three stored from the first create (0 s) to the last result (2 s).
        #expect(abs(report.throughput.completedPerSecond - 1.5) < 1e-9)
        #expect(report.problems.first == .init(problem: "cannot connect to x: connection refused", tasks: 2))
        #expect(!report.allCompleted)
        #expect(report.polls == 9 && report.seconds == 3)
        // Every task is in the timeline once, when it was sent, and every result when stored.
        #expect(report.timeline.map(\.created).reduce(0, +) == 6)
        #expect(report.timeline.map(\.completed).reduce(0, +) == 3)
        #expect(report.timeline.allSatisfy { $0.end > $0.start })
    }

    @Test func jsonUsesTheReportsKeyNames() throws {
        let data = try LoadReport(Self.run, endpoint: "http://127.0.0.1:9").json()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let tasks = try #require(object["tasks"] as? [String: Int])
        #expect(tasks == ["submitted": 6, "completed": 3, "failed": 2, "timed_out": 1, "verified": 0])
        let latency = try #require(object["latency"] as? [String: [String: Double]])
        #expect(Set(latency.keys) == ["create", "stored"])
        #expect(Set(latency["stored"]!.keys).isSuperset(of: ["p50", "p90", "p99", "max"]))
        #expect(object["workers"] as? [String: Int] == ["w1": 2, "w2": 1])
        let throughput = try #require(object["throughput"] as? [String: Double])
        #expect(Set(throughput.keys) == ["completed_per_second", "created_per_second"])
    }

    @Test func csvHasARowATaskAndQuotesWhatNeedsIt() throws {
        let lines = Self.run.csv().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "uuid,created_at_offset_s,create_latency_ms,stored_latency_ms,generated_by,status,verified,problem")
        #expect(lines.count == 6 + 2, "header, six rows and the final newline")
        #expect(lines[1] == "uuid-0,0.000000,2.000,500.000,w2,completed,,")
        #expect(lines[4] == "uuid-3,1.200000,,,,failed,,cannot connect to x: connection refused")
        #expect(lines[6] == "uuid-5,1.500000,2.000,,,timed_out,,\"not stored, \"\"quoted\"\", in time\"")
    }

    @Test func htmlIsOnePageWithInlineCharts() {
        var run = Self.run
        run.records[0].generatedBy = "<worker & co>"
        let html = LoadReport(run, endpoint: "http://127.0.0.1:9").html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 3)
        #expect(html.contains("<polyline"))
        #expect(html.contains("&lt;worker &amp; co&gt;") && !html.contains("<worker"))
        #expect(!html.contains("src=\"http") && !html.contains("<script"), "nothing to fetch")
    }

    @Test func chartTicksAreRound() {
        #expect(SVGLineChart.ticks(upTo: 7.3) == [0, 2, 4, 6, 8])
        #expect(SVGLineChart.ticks(upTo: 0.42) == [0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5])
        #expect(SVGLineChart.label(0.30000000000000004) == "0.3")
        #expect(TimelineSlice.roundWidth(atLeast: 0.03) == 0.1)
        #expect(TimelineSlice.roundWidth(atLeast: 3.1) == 5)
    }
}
