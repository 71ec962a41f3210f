import FractalJob
import Foundation

extension LoadRun {
    static let csvHeader = [
        "uuid", "created_at_offset_s", "create_latency_ms", "stored_latency_ms", "generated_by", "status", "verified",
        "problem",
    ]

    /// One row a task, in the order they were started, after a header: when its create
    /// was sent (seconds from the start), both latencies (milliseconds), the worker, the
    /// status, whether its checksums were checked, and why it failed. Empty cells are
    /// values the task does not have.
    public func csv() -> String {
        var lines = [Self.csvHeader.joined(separator: ",")]
        for record in records {
            let cells = [
                record.uuid,
                String(format: "%.6f", record.sentAt.seconds),
                record.createLatency.map { String(format: "%.3f", $0.milliseconds) } ?? "",
                record.storedLatency.map { String(format: "%.3f", $0.milliseconds) } ?? "",
                record.generatedBy ?? "",
                record.status.rawValue,
                record.verified.map { $0 ? "true" : "false" } ?? "",
                record.problem ?? "",
            ]
            lines.append(cells.map(Self.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
