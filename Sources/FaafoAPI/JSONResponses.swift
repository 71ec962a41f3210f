import FaafoController
import FaafoWire
import Foundation
import Hummingbird

/// JSON in and out for the API, with errors that name the problem.
enum JSONBody {
    /// Shared by every request: a coder costs more to make than a small body to code.
    static let encoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
    static let decoder = JSONDecoder()

    /// Encodes `value` as a JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Reads at most `limit` bytes of body and decodes it, or throws a 4xx `APIError`
    /// that says what is wrong: not sent as JSON, too large, not JSON, a missing, null or
    /// mistyped field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        try requireJSONContentType(request.headers[.contentType])
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw APIError(.contentTooLarge, "request body is larger than \(limit) bytes")
        }
        do {
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError(.badRequest, describe(error))
        } catch {
            throw APIError(.badRequest, "request body is not valid JSON")
        }
    }

    /// Flask-Restless's rule, which the original's clients rely on: a body sent with a
    /// Content-Type that is not JSON is refused with 415; one sent without any (curl's
    /// `-d` with no `-H`) is read as JSON. `application/json` may carry parameters
    /// (`; charset=utf-8`), and the structured `application/…+json` types count as JSON.
    static func requireJSONContentType(_ value: String?) throws {
        guard let value, !value.allSatisfy(\.isWhitespace) else { return }
        let mediaType = value.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
        let isJSON =
            mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
        guard isJSON else {
            throw APIError(.unsupportedMediaType, "Content-Type must be application/json, not '\(value)'")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _):
            return "missing field '\(key.stringValue)'"
        case .valueNotFound(_, let context):
            return "field '\(path(context))' must not be null"
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return "request body must be a JSON object" }
            return "field '\(path(context))' must be \(kind(of: type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "request body is not valid JSON" : "field '\(path(context))' is not valid"
        @unknown default:
            return "request body does not match the expected JSON"
        }
    }

    /// How a type is spelled in an error message.
    static func kind(of type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is UInt64.Type: "an integer from 0 to 2^64-1"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}

/// An HTTP error with a JSON body `{"message": ...}`, as every error of the API has.
struct APIError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    /// Sent with the body: `WWW-Authenticate` with a 401.
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    init(_ error: FractalServiceError) {
        switch error.code {
        case .invalid: status = .badRequest
        case .notFound: status = .notFound
        case .conflict: status = .conflict
        case .corrupt: status = .unprocessableContent
        default: status = .serviceUnavailable
        }
        message = error.message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONBody.response(ErrorMessage(message: message), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// Turns every error into the API's JSON error: a service error into its status, a
/// Hummingbird error (no such route, say) into its own status, anything else into a 500
/// that is logged.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as FractalServiceError {
            throw APIError(error)
        } catch let error as HTTPError {
            throw APIError(error.status, error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            throw APIError(.internalServerError, "internal error")
        }
    }
}

/// A request for a path the API serves, with a method it does not serve there, is
/// answered 405 with `Allow`, as Flask answered the original's clients (Hummingbird's
/// router says 404). Added to the router after every route, it runs only for requests no
/// route took.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each path the router serves, with its methods.
    let routes: [(path: RouterPath, methods: [HTTPRequest.Method])]

    /// `routes`: the router's, HEAD included where there is a GET (the router makes those
    /// when it builds its responder).
    init(routes: [Router<Context>.RouteDescription]) {
        var methods: [String: (path: RouterPath, methods: [HTTPRequest.Method])] = [:]
        for route in routes {
            methods[route.path.description, default: (route.path, [])].methods.append(route.method)
            if route.method == .get { methods[route.path.description]!.methods.append(.head) }
        }
        self.routes = methods.values.sorted { $0.path.description < $1.path.description }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let components = request.uri.path.split(separator: "/", omittingEmptySubsequences: true)
        guard let route = routes.first(where: { Self.path($0.path, matches: components) }) else {
            return try await next(request, context)
        }
        let allowed = Set(route.methods.map(\.rawValue)).sorted().joined(separator: ", ")
        throw APIError(
            .methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path) (allowed: \(allowed))",
            headers: [.allow: allowed])
    }

    static func path(_ path: RouterPath, matches components: [Substring]) -> Bool {
        var remaining = components[...]
        for element in path {
            if element.description == "**" { return true }
            guard let component = remaining.popFirst(), element ~= component else { return false }
        }
        return remaining.isEmpty
    }
}
