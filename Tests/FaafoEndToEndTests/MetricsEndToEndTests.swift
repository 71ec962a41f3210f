import FaafoCluster
import FaafoTestKit
import Foundation
import Testing

/// The counters of a real faafo-api and of a real faafo-worker's metrics port, read by
/// scraping them as Prometheus would, while `faafo demo` runs a batch through them.
@Suite(.tags(.endToEnd, .rabbitMQ), .needs(.rabbitMQ), .timeLimit(.minutes(5)))
struct MetricsEndToEndTests {
    @Test func theAPIsAndTheWorkersCountersMoveWithADemoRun() async throws {
        try await withCluster { cluster in
            let metricsPort = try freeLoopbackPort()
            try await cluster.startWorker(
                name: "metered", arguments: ["--metrics-port", "\(metricsPort)", "--listen-address", "127.0.0.1"])
            let api = "\(cluster.endpoint)/metrics"
            let worker = "http://127.0.0.1:\(metricsPort)/metrics"
            let before = try await scrape(api)
            #expect(before["faafo_fractals_created_total"] == 0 && before["faafo_fractals_completed_total"] == 0)
            #expect(try await scrape(worker)["faafo_worker_tasks_rendered_total"] == 0)

            let tasks = 60
            let demo = Task {
                try await runCommand(
                    try LocalCluster.executablesFolder(containing: ["faafo"]).appending(path: "faafo"),
                    [
                        "--endpoint-url", cluster.endpoint, "demo", "--tasks", "\(tasks)", "--concurrency", "4",
                        "--width", "64", "--height", "64", "--iterations", "64",
                    ], timeout: .seconds(120))
            }
            // Sampled while the demo runs: the counters only ever go up.
            var created: [Double] = []
            while created.count < 600, (created.last ?? 0) < Double(tasks) {
                created.append(try await scrape(api)["faafo_fractals_created_total"] ?? -1)
                try await Task.sleep(for: .milliseconds(20))
            }
            let (status, output) = try await demo.value
            #expect(status == 0, "\(output)")
            #expect(created == created.sorted(), "created only goes up: \(created)")

            let after = try await scrape(api)
            #expect(after["faafo_fractals_created_total"] == Double(tasks))
            #expect(after["faafo_fractals_completed_total"] == Double(tasks))
            #expect(after["faafo_results_refused_total"] == 0 && after["faafo_fractals_failed_total"] == 0)
            #expect(after["faafo_create_duration_seconds_count"] == Double(tasks))
            #expect(after["faafo_result_duration_seconds_count"] == Double(tasks))
            let rendered = try await scrape(worker)
            #expect(rendered["faafo_worker_tasks_rendered_total"] == Double(tasks))
            #expect(rendered["faafo_worker_results_accepted_total"] == Double(tasks))
            #expect(rendered["faafo_worker_tasks_dead_lettered_total"] == 0)
            #expect(rendered["faafo_worker_render_duration_seconds_count"] == Double(tasks))
            #expect(rendered["faafo_worker_upload_duration_seconds_count"] == Double(tasks))
        }
    }

    /// The samples of `url`'s Prometheus text, each series (as written) to its value.
    func scrape(_ url: String) async throws -> [String: Double] {
        let (status, output) = try await runCommand(
            URL(fileURLWithPath: "/usr/bin/curl"), ["-fsS", "--max-time", "10", url], timeout: .seconds(15))
        try #require(status == 0, "curl \(url): \(output)")
        var samples: [String: Double] = [:]
        for line in output.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
