import Foundation
import Logging

/// Log lines in the form the original faafo's oslo.log wrote and the tutorial shows:
/// `2015-04-02 03:55:02.708 19029 INFO faafo.client [-] generating 6 task(s)`
/// (local date and time to the millisecond, process id, level, logger, context, message).
/// Metadata, if any, follows the message as ` key=value`, sorted by key.
public struct TutorialLogHandler: LogHandler {
    let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let processID: Int32
    let timeZone: TimeZone
    let clock: @Sendable () -> Date
    let write: @Sendable (String) -> Void

    public init(
        label: String, level: Logger.Level,
        processID: Int32 = ProcessInfo.processInfo.processIdentifier,
        timeZone: TimeZone = .current,
        clock: @escaping @Sendable () -> Date = { Date() },
        write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.label = label
        logLevel = level
        self.processID = processID
        self.timeZone = timeZone
        self.clock = clock
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        write(line(level: event.level, message: event.message.description, metadata: merged) + "\n")
    }

    /// One line, without its newline.
    func line(level: Logger.Level, message: String, metadata: Logger.Metadata = [:]) -> String {
        var text = "\(timestamp(clock())) \(processID) \(Self.levelName(level)) \(label) [-] \(message)"
        for key in metadata.keys.sorted() { text += " \(key)=\(metadata[key]!)" }
        return text
    }

    /// `2015-04-02 03:55:02.708`: milliseconds truncated, as Python's logging does.
    func timestamp(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        let milliseconds = min(999, Int(((interval - whole) * 1000).rounded(.down)))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%03d",
            c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, milliseconds)
    }

    /// Python's level names; swift-log's `notice` is INFO there, `trace` is oslo's TRACE.
    public static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: return "TRACE"
        case .debug: return "DEBUG"
        case .info, .notice: return "INFO"
        case .warning: return "WARNING"
        case .error: return "ERROR"
        case .critical: return "CRITICAL"
        }
    }

    /// Routes every logger of the process through this handler, at `level`.
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in TutorialLogHandler(label: label, level: level) }
    }
}
