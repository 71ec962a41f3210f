import FaafoWire
import Foundation

/// Why a call to the API failed. `description` is one line fit to show a user:
/// `404 no fractal 1234…`, `cannot connect to http://localhost:8080: connection refused`.
public struct FaafoClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure it is. New codes may be added; switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        /// The API answered with a status outside 2xx; `status` and `message` say what it said.
        public static let httpStatus = Code(name: "http_status")
        /// The API could not be reached: refused, unknown host, connection dropped.
        public static let connection = Code(name: "connection")
        /// No whole answer arrived in time.
        public static let timeout = Code(name: "timeout")
        /// The API answered 2xx with a body that is not what the call expects.
        public static let invalidResponse = Code(name: "invalid_response")
        /// The endpoint URL is not an http:// or https:// URL with a host.
        public static let invalidEndpoint = Code(name: "invalid_endpoint")
        public var description: String { name }
    }

    public let code: Code
    /// The HTTP status, for `httpStatus` and `invalidResponse`.
    public let status: Int?
    /// The server's `{"message"}`, the body's text when it is not JSON, or the reason.
    public let message: String
    /// The request: `GET`, `POST`, …
    public let method: String
    /// The request's whole URL.
    public let url: String

    public init(code: Code, status: Int? = nil, message: String, method: String, url: String) {
        self.code = code
        self.status = status
        self.message = message
        self.method = method
        self.url = url
    }

    public var description: String {
        switch code {
        case .httpStatus: return message.isEmpty ? "\(status ?? 0)" : "\(status ?? 0) \(message)"
        default: return message
        }
    }

    /// A 4xx answer: the request itself is wrong and sending it again will not help.
    public var isClientError: Bool { code == .httpStatus && (400..<500).contains(status ?? 0) && !isTransient }

    /// The reasons of a connection the server dropped after it took it: the request may
    /// have reached the API, unlike one refused or to an unknown host.
    static let closedByTheServer = "the server closed the connection"
    static let resetByTheServer = "connection reset by the server"

    /// A connection the server (or a balancer in front of it) dropped during the call: the
    /// request may have reached the API, so whether it took effect is unknown.
    public var isDroppedConnection: Bool {
        code == .connection
            && (message.hasSuffix(": \(Self.closedByTheServer)") || message.hasSuffix(": \(Self.resetByTheServer)"))
    }

    /// Worth trying again later: no answer, a timeout, a 5xx, 408 or 429.
    public var isTransient: Bool {
        switch code {
        case .connection, .timeout: return true
        case .httpStatus: return status.map { $0 >= 500 || $0 == 408 || $0 == 429 } ?? false
        default: return false
        }
    }

    /// The error for a non-2xx answer: its status with the server's `{"message"}`, or
    /// with the body's text when the body is not that JSON (cut to one short line), or
    /// with the status's reason phrase when the body is empty.
    public static func httpStatus(
        _ status: Int, reason: String = "", body: Data, method: String, url: String
    ) -> FaafoClientError {
        let message: String
        if let decoded = try? JSONDecoder().decode(ErrorMessage.self, from: body) {
            message = oneLine(decoded.message)
        } else if let text = String(data: body, encoding: .utf8), !oneLine(text).isEmpty {
            message = oneLine(text)
        } else {
            message = reason
        }
        return FaafoClientError(code: .httpStatus, status: status, message: message, method: method, url: url)
    }

    /// At most `limit` characters on one line, runs of whitespace as one space.
    static func oneLine(_ text: String, limit: Int = 300) -> String {
        let words = text.split(whereSeparator: \.isWhitespace)
        let joined = words.joined(separator: " ")
        return joined.count > limit ? String(joined.prefix(limit)) + "…" : joined
    }
}
