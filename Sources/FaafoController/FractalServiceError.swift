/// Why the fractal service refused a request. The HTTP layer maps each code to a status.
public struct FractalServiceError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        public let name: String
        /// The request is malformed or outside the render contract (400).
        public static let invalid = Code(name: "invalid")
        /// A result whose image does not match its own size, SHA-256 or pixel checksum, or
        /// cannot be decoded whole: bytes changed on a worker or on the way. Rendering the
        /// task again can help (422).
        public static let corrupt = Code(name: "corrupt")
        /// No such fractal (404).
        public static let notFound = Code(name: "not_found")
        /// It contradicts what is stored: another task under this uuid, another result (409).
        public static let conflict = Code(name: "conflict")
        /// A dependency (store, queue) failed; the request may succeed later (503).
        public static let unavailable = Code(name: "unavailable")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
