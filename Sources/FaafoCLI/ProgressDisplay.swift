import FaafoLoad
import Foundation

/// How `faafo demo` shows its progress on stderr: a bar redrawn in place on a terminal,
/// a plain line every few seconds otherwise (a pipe, a log file).
struct ProgressDisplay: Sendable {
    let planned: Int?
    let duration: Duration?
    let onTerminal: Bool

    init(plan: LoadPlan, onTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        planned = plan.duration == nil ? plan.tasks : nil
        duration = plan.duration
        self.onTerminal = onTerminal
    }

    var interval: Duration { onTerminal ? .milliseconds(200) : .seconds(5) }

    func show(_ progress: LoadProgress) {
        if onTerminal {
            // Back to the start of the line, the bar, then clear whatever the last one left.
            Self.write("\r" + progress.bar(planned: planned, duration: duration) + "\u{1B}[K")
        } else {
            Self.write(progress.line + "\n")
        }
    }

    /// Ends the bar's line once the run is over.
    func finish() {
        if onTerminal { Self.write("\n") }
    }

    /// After the run, as each checksum is checked.
    func checking(_ done: Int, _ count: Int) {
        if onTerminal {
            Self.write("\r\u{1B}[Kdemo: checked \(done) of \(count) checksums against the render core"
                + (done == count ? "\n" : ""))
        } else if done == count {
            Self.write("demo: checked \(count) checksums against the render core\n")
        }
    }

    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
