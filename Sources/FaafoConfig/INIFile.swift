/// A config file in the INI form oslo.config reads: `[section]` headers, `key = value`
/// (or `key: value`) assignments, and blank lines and `#`/`;` comments.
///
/// Only whole-line comments exist: a `#` after a value is part of it, as in oslo.config
/// (URLs may contain one). A value wrapped in matching quotes loses them. A later
/// assignment of the same key replaces an earlier one.
public struct INIFile: Hashable, Sendable {
    /// One `key = value` line.
    public struct Entry: Hashable, Sendable {
        public var section: String
        public var key: String
        public var value: String
        /// 1-based.
        public var line: Int
    }

    /// Every assignment, in file order.
    public var entries: [Entry]
    /// The file's name in messages.
    public var path: String

    /// Parses `text`; throws `ConfigurationError` (`malformedLine`) naming `path` and the
    /// line number for a line that is neither blank, a comment, a section nor an assignment.
    public init(parsing text: String, path: String) throws(ConfigurationError) {
        self.path = path
        entries = []
        var section: String?
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            var line = Substring(rawLine)
            if lineNumber == 1, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let source = ConfigurationSource.file(path: path, line: lineNumber)

            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]"), trimmed.count > 2 else {
                    throw Self.malformed(trimmed, source, "a section header is '[name]'")
                }
                let name = trimmed.dropFirst().dropLast().trimmingWhitespace()
                guard !name.isEmpty, !name.contains("["), !name.contains("]") else {
                    throw Self.malformed(trimmed, source, "a section header is '[name]'")
                }
                section = String(name)
                continue
            }

            let equal = trimmed.firstIndex(of: "=")
            let colon = trimmed.firstIndex(of: ":")
            let separator: Substring.Index
            switch (equal, colon) {
            case (nil, nil):
                throw Self.malformed(trimmed, source, "expected 'key = value', '[section]' or a comment")
            case (let e?, nil): separator = e
            case (nil, let c?): separator = c
            case (let e?, let c?): separator = min(e, c)
            }
            let key = trimmed[..<separator].trimmingWhitespace()
            guard !key.isEmpty else {
                throw Self.malformed(trimmed, source, "the key before '\(trimmed[separator])' is missing")
            }
            guard !key.contains(where: \.isWhitespace) else {
                throw Self.malformed(trimmed, source, "a key has no spaces: expected 'key = value'")
            }
            guard let section else {
                throw Self.malformed(trimmed, source, "'\(key)' comes before any section: start the file with [DEFAULT]")
            }
            var value = trimmed[trimmed.index(after: separator)...].trimmingWhitespace()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            entries.append(Entry(section: section, key: String(key), value: String(value), line: lineNumber))
        }
    }

    /// The assignments of `[DEFAULT]` (any case), in file order.
    public var defaultSection: [Entry] {
        entries.filter { $0.section.lowercased() == "default" }
    }

    private static func malformed(
        _ line: Substring, _ source: ConfigurationSource, _ reason: String
    ) -> ConfigurationError {
        ConfigurationError(code: .malformedLine, source: source, message: "\(source): malformed line '\(line)': \(reason)")
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
