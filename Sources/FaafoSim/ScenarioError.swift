/// A scenario file that cannot be run: unreadable YAML, an unknown key, a bad value.
/// The description names the file and line.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public let file: String
    /// 1-based; 0 when the problem has no line (the file cannot be read).
    public let line: Int
    public let message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
