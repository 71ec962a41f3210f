/// A fractal parameter outside the render contract's limits.
///
/// `field` names the offending parameter as the API and the CLI spell it (`width`,
/// `xa`, …), so a caller can show the message beside the right input.
public struct ParameterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is. New codes may be added; switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public static let outOfRange = Code(name: "out_of_range")
        public static let notFinite = Code(name: "not_finite")
        public static let emptyRange = Code(name: "empty_range")
        public static let overBudget = Code(name: "over_budget")
        public static let missing = Code(name: "missing")
        public var description: String { name }
    }

    public let field: String
    public let code: Code
    /// A sentence that names the field and the value, e.g. `width must be between 2 and 16384, got 1`.
    public let message: String

    public init(field: String, code: Code, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
