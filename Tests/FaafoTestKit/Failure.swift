/// A test's own error: what went wrong, in words (a server that did not start, an answer
/// that never came). The one error type the test targets throw for their own failures.
public struct Failure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
