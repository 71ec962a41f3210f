/// Why a configuration could not be loaded. `description` is one line that names the
/// file and line, or the key and where its value came from.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is. New codes may be added; switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        /// A config file named explicitly (`--config-file`, `FAAFO_CONFIG_FILE`) does not exist.
        public static let fileNotFound = Code(name: "file_not_found")
        /// A config file exists but cannot be read, or is not UTF-8 text.
        public static let fileUnreadable = Code(name: "file_unreadable")
        /// A line of a config file is neither a section, an assignment nor a comment.
        public static let malformedLine = Code(name: "malformed_line")
        /// A value does not parse, or is outside what the key allows.
        public static let invalidValue = Code(name: "invalid_value")
        /// A program passed an override for a key that does not exist.
        public static let unknownKey = Code(name: "unknown_key")
        public var description: String { name }
    }

    public let code: Code
    /// The key concerned, for `invalidValue` and `unknownKey`.
    public let key: String?
    /// Where the offending text is: a file line, a variable, an option.
    public let source: ConfigurationSource?
    public let message: String

    public init(code: Code, key: String? = nil, source: ConfigurationSource? = nil, message: String) {
        self.code = code
        self.key = key
        self.source = source
        self.message = message
    }

    public var description: String { message }

    static func invalid(
        _ key: ConfigurationKey, _ value: String, from source: ConfigurationSource, _ reason: String
    ) -> ConfigurationError {
        ConfigurationError(
            code: .invalidValue, key: key.name, source: source,
            message: "invalid \(key.name) '\(value)' (from \(source)): \(reason)")
    }
}
