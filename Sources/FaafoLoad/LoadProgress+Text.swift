import FractalJob
import Foundation

extension LoadProgress {
    /// A one-line progress bar for a terminal: `[#####-----]  512/1000 …`, `planned` tasks
    /// at most (nil: only the time limits them, and the bar shows the time gone).
    public func bar(planned: Int?, duration: Duration?, width: Int = 24) -> String {
        let fraction: Double
        if let planned, planned > 0, duration == nil {
            fraction = Double(finished) / Double(planned)
        } else if let duration, duration > .zero {
            fraction = elapsed.seconds / duration.seconds
        } else {
            fraction = 0
        }
        let filled = max(0, min(width, Int((fraction * Double(width)).rounded(.down))))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let total = planned.map { "/\($0)" } ?? ""
        return "[\(bar)] \(finished)\(total) \(counts)"
    }

    /// One plain line, for a log or a pipe.
    public var line: String { "demo: \(finished) finished: \(counts)" }

    private var counts: String {
        let rate = elapsed > .zero ? Double(completed) / elapsed.seconds : 0
        return "\(submitted) created, \(completed) stored, \(failed) failed, \(timedOut) timed out, "
            + "\(inFlight) in flight, \(String(format: "%.1f", rate))/s, \(String(format: "%.1f", elapsed.seconds)) s"
    }
}
