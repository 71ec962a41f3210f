import FractalJob
import FaafoLatency
import Foundation

extension LoadReport {
    /// The report for a person: what ran, the counts, throughput, latencies and workers.
    public var summaryLines: [String] {
        let pacing =
            settings.rate.map { "open loop at \(Self.number($0)) a second" }
            ?? "closed loop, \(settings.concurrency ?? 1) in flight"
        let limit = settings.duration.map { " for at most \(Self.number($0)) s" } ?? ""
        let counts = "\(tasks.submitted) submitted, \(tasks.completed) completed, \(tasks.failed) failed, "
            + "\(tasks.timedOut) timed out in \(String(format: "%.2f", seconds)) s"
        let checked = "\(tasks.verified) checksums verified against the render core (\(settings.verify.rawValue))"
        let rates = "throughput \(String(format: "%.1f", throughput.completedPerSecond)) stored a second, "
            + "\(String(format: "%.1f", throughput.createdPerSecond)) created a second; \(polls) polls"
        let byWorker = workers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        var lines = [
            "demo: \(settings.endpoint): up to \(settings.tasks) tasks\(limit), \(pacing), timeout \(Self.number(settings.timeout)) s",
            "demo: \(counts); \(checked)",
            "demo: \(rates)",
            "demo: create latency            \(latency.create.line)",
            "demo: create-to-stored latency  \(latency.stored.line)",
            "demo: by worker: " + (byWorker.isEmpty ? "none" : byWorker.joined(separator: ", ")),
        ]
        for problem in problems { lines.append("demo: \(problem.tasks) × \(problem.problem)") }
        return lines
    }

    /// `2`, `2.5`: a setting without trailing zeros.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
