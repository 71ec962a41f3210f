import AsyncHTTPClient
import FaafoWire
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A client of the faafo API (`/v1/fractal` and `/fractal/<uuid>`), for the CLI and the
/// workers.
///
/// Every call throws `FaafoClientError` (or `CancellationError` when its task is
/// cancelled). Many calls may run at once. A client made with `init(endpointURL:…)`
/// owns its `HTTPClient`: call `shutdown()` once done. One made with
/// `init(endpointURL:httpClient:…)` shares the caller's, which the caller shuts down.
public final class FaafoAPIClient: Sendable {
    /// How long calls may take.
    public struct Timeouts: Hashable, Sendable {
        /// To open a connection. Applies only to a client that owns its `HTTPClient`.
        public var connect: Duration
        /// For one whole call, from sending the request to the end of the answer.
        public var request: Duration

        public init(connect: Duration = .seconds(10), request: Duration = .seconds(60)) {
            self.connect = connect
            self.request = request
        }

        /// From seconds, as `connect_timeout` and `request_timeout` give them.
        public init(connectSeconds: Double, requestSeconds: Double) {
            self.init(connect: .seconds(connectSeconds), request: .seconds(requestSeconds))
        }
    }

    /// The largest answers accepted: a JSON object or page, and a PNG file.
    public struct Limits: Hashable, Sendable {
        public var json: Int
        public var image: Int
        public init(json: Int = 64 << 20, image: Int = 1 << 30) {
            self.json = json
            self.image = image
        }
    }

    /// The bearer tokens a client sends on the writes that an API may guard; each `nil`
    /// by default, which sends none (the original API asks for none).
    public struct Credentials: Hashable, Sendable {
        /// Sent with result and failure PUTs (`worker_token`).
        public var worker: String?
        /// Sent with DELETE, and with any write whose own token is not set (`operator_token`).
        public var `operator`: String?
        /// Sent with `POST /v1/fractal` (`create_token`).
        public var create: String?

        public init(worker: String? = nil, operator: String? = nil, create: String? = nil) {
            self.worker = worker
            self.operator = `operator`
            self.create = create
        }
    }

    /// The API's base URL, without a trailing slash: `http://localhost:8080`.
    public let endpoint: String
    public let timeouts: Timeouts
    public let limits: Limits
    private let credentials: Credentials
    private let http: HTTPClient
    private let ownsHTTPClient: Bool
    private let logger: Logger

    /// A client with its own `HTTPClient`; `shutdown()` it when done.
    ///
    /// With `retryingConnections` (AsyncHTTPClient's default, right for a long-running
    /// worker) a refused connection is tried again until the request's deadline; without
    /// it (right for the CLI) the call fails at once. `connections` is how many calls
    /// may be on the wire at once (AsyncHTTPClient's default, 8, when nil); more wait
    /// for a free connection.
    public convenience init(
        endpointURL: String, timeouts: Timeouts = Timeouts(), limits: Limits = Limits(),
        retryingConnections: Bool = true, connections: Int? = nil, credentials: Credentials = Credentials(),
        logger: Logger = Logger(label: "faafo.client")
    ) throws(FaafoClientError) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: TimeAmount(timeouts.connect))
        configuration.connectionPool.retryConnectionEstablishment = retryingConnections
        if let connections { configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, connections) }
        configuration.decompression = .disabled
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            try self.init(
                endpointURL: endpointURL, http: http, owns: true, timeouts: timeouts, limits: limits,
                credentials: credentials, logger: logger)
        } catch {
            try? http.syncShutdown()
            throw error
        }
    }

    /// A client that shares `httpClient`, which its owner shuts down.
    public convenience init(
        endpointURL: String, httpClient: HTTPClient, timeouts: Timeouts = Timeouts(), limits: Limits = Limits(),
        credentials: Credentials = Credentials(), logger: Logger = Logger(label: "faafo.client")
    ) throws(FaafoClientError) {
        try self.init(
            endpointURL: endpointURL, http: httpClient, owns: false, timeouts: timeouts, limits: limits,
            credentials: credentials, logger: logger)
    }

    private init(
        endpointURL: String, http: HTTPClient, owns: Bool, timeouts: Timeouts, limits: Limits,
        credentials: Credentials, logger: Logger
    ) throws(FaafoClientError) {
        guard let url = URL(string: endpointURL), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", !(url.host ?? "").isEmpty, url.query == nil,
            (1...65535).contains(url.port ?? 80)
        else {
            throw FaafoClientError(
                code: .invalidEndpoint,
                message: "invalid endpoint URL '\(endpointURL)': expected http://host[:port][/path]",
                method: "", url: endpointURL)
        }
        var base = endpointURL
        while base.hasSuffix("/") { base.removeLast() }
        endpoint = base
        self.http = http
        ownsHTTPClient = owns
        self.timeouts = timeouts
        self.limits = limits
        self.credentials = credentials
        self.logger = logger
    }

    /// Closes the connections of a client that owns its `HTTPClient`; does nothing for
    /// one that shares another's. Call it once, after the last call has returned.
    public func shutdown() async throws {
        if ownsHTTPClient { try await http.shutdown() }
    }

    // MARK: The calls

    /// `POST /v1/fractal`: stores a fractal and queues it. The API answers with the
    /// stored object, also when the same uuid with the same parameters was sent before.
    public func create(_ request: CreateFractal) async throws -> FractalObject {
        try await call(.POST, "/v1/fractal", body: request, token: createToken, as: FractalObject.self)
    }

    /// `GET /v1/fractal/<uuid>`.
    public func get(_ uuid: String) async throws -> FractalObject {
        try await call(.GET, "/v1/fractal/" + Self.pathComponent(uuid), as: FractalObject.self)
    }

    /// `GET /v1/fractal?page=N`: one page (the first is 1), of the server's default size
    /// or `perPage` (`results_per_page`, at most 1000).
    public func list(page: Int = 1, perPage: Int? = nil) async throws -> FractalPage {
        let size = perPage.map { "&results_per_page=\($0)" } ?? ""
        return try await call(.GET, "/v1/fractal?page=\(page)\(size)", as: FractalPage.self)
    }

    /// Every fractal, page by page in the API's order, as the original `faafo list` read
    /// them (`perPage`: fewer, larger pages).
    public func listAll(perPage: Int? = nil) async throws -> [FractalObject] {
        var objects: [FractalObject] = []
        var page = 1
        while true {
            let answer = try await list(page: page, perPage: perPage)
            objects += answer.objects
            // total_pages is re-read each time, as fractals may come and go meanwhile;
            // an empty page ends it too, so a wrong count cannot loop forever.
            if page >= answer.totalPages || answer.objects.isEmpty { return objects }
            page += 1
        }
    }

    /// `GET /fractal/<uuid>`: the PNG file. A pending fractal answers 404.
    public func image(_ uuid: String) async throws -> Data {
        let (_, body) = try await send(
            .GET, "/fractal/" + Self.pathComponent(uuid), body: nil, accept: "image/png", limit: limits.image)
        return body
    }

    /// `DELETE /v1/fractal/<uuid>`.
    public func delete(_ uuid: String) async throws {
        _ = try await send(
            .DELETE, "/v1/fractal/" + Self.pathComponent(uuid), body: nil, token: credentials.operator, limit: limits.json)
    }

    /// `PUT /v1/fractal/<uuid>`: a worker's result. Sending the same result twice is harmless.
    public func putResult(_ uuid: String, _ result: ResultUpload) async throws -> FractalObject {
        try await call(.PUT, "/v1/fractal/" + Self.pathComponent(uuid), body: result, token: workerToken, as: FractalObject.self)
    }

    /// `PUT /v1/fractal/<uuid>/failure`: a worker gave the task up, and says why.
    public func reportFailure(_ uuid: String, _ failure: TaskFailure) async throws -> FractalObject {
        try await call(
            .PUT, "/v1/fractal/" + Self.pathComponent(uuid) + "/failure", body: failure, token: workerToken,
            as: FractalObject.self)
    }

    /// `PUT /v1/fractal/<uuid>` as a worker sends it: any 2xx answer is an acceptance,
    /// whatever its body, since the original faafo API answers with its own, smaller object.
    public func deliverResult(_ uuid: String, _ result: ResultUpload) async throws {
        let path = "/v1/fractal/" + Self.pathComponent(uuid)
        _ = try await send(.PUT, path, body: try encode(result, .PUT, path), token: workerToken, limit: limits.json)
    }

    /// `PUT /v1/fractal/<uuid>/failure` as a worker sends it: any 2xx answer is an acceptance.
    public func deliverFailure(_ uuid: String, _ failure: TaskFailure) async throws {
        let path = "/v1/fractal/" + Self.pathComponent(uuid) + "/failure"
        _ = try await send(.PUT, path, body: try encode(failure, .PUT, path), token: workerToken, limit: limits.json)
    }

    // MARK: Plumbing

    /// The token for results and failures: the worker's, else the operator's.
    private var workerToken: String? { credentials.worker ?? credentials.operator }
    /// The token for creates: the create token, else the operator's.
    private var createToken: String? { credentials.create ?? credentials.operator }

    private struct NoBody: Encodable {}

    private func call<Answer: Decodable>(
        _ method: HTTPMethod, _ path: String, as type: Answer.Type
    ) async throws -> Answer {
        try await call(method, path, body: NoBody?.none, token: nil, as: type)
    }

    private func call<Body: Encodable, Answer: Decodable>(
        _ method: HTTPMethod, _ path: String, body: Body?, token: String?, as type: Answer.Type
    ) async throws -> Answer {
        let (status, data) = try await send(
            method, path, body: try encode(body, method, path), token: token, limit: limits.json)
        do {
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw FaafoClientError(
                code: .invalidResponse, status: status,
                message: "\(method.rawValue) \(endpoint + path) answered \(status) with a body that is not "
                    + "\(Self.article(Answer.self)): \(Self.decodingProblem(error))",
                method: method.rawValue, url: endpoint + path)
        }
    }

    private func encode<Body: Encodable>(_ body: Body?, _ method: HTTPMethod, _ path: String) throws -> Data? {
        do {
            return try body.map { try JSONEncoder().encode($0) }
        } catch {
            throw FaafoClientError(
                code: .invalidResponse, message: "cannot encode the request: \(error)",
                method: method.rawValue, url: endpoint + path)
        }
    }

    /// Sends one request, with `Authorization: Bearer <token>` when a token is given;
    /// returns the status and body of a 2xx answer, throws for anything else.
    private func send(
        _ method: HTTPMethod, _ path: String, body: Data?, token: String? = nil, accept: String = "application/json",
        limit: Int
    ) async throws -> (status: Int, body: Data) {
        let url = endpoint + path
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "faafo-swift")
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let started = ContinuousClock.now
        let failure = { (code: FaafoClientError.Code, message: String) in
            FaafoClientError(code: code, message: message, method: method.rawValue, url: url)
        }
        let status: Int
        let data: Data
        do {
            let response = try await http.execute(request, timeout: TimeAmount(timeouts.request), logger: nil)
            status = Int(response.status.code)
            let buffer = try await response.body.collect(upTo: limit)
            data = Data(buffer.readableBytesView)
            guard (200..<300).contains(status) else {
                logger.debug("\(method.rawValue) \(url) -> \(status) in \(Self.milliseconds(since: started)) ms")
                throw FaafoClientError.httpStatus(
                    status, reason: response.status.reasonPhrase, body: data, method: method.rawValue, url: url)
            }
        } catch let error as FaafoClientError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw failure(.invalidResponse, "\(method.rawValue) \(url): the answer is larger than \(limit) bytes")
        } catch let error as HTTPClientError {
            logger.debug("\(method.rawValue) \(url) failed: \(error)")
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                throw failure(
                    .timeout, "no answer from \(endpoint) within \(Self.seconds(timeouts.request)) (\(method.rawValue) \(path))")
            case .connectTimeout, .getConnectionFromPoolTimeout:
                throw failure(.timeout, "cannot connect to \(endpoint): timed out")
            case .cancelled:
                throw CancellationError()
            default:
                throw failure(.connection, "cannot connect to \(endpoint): \(Self.connectionProblem(error))")
            }
        } catch {
            logger.debug("\(method.rawValue) \(url) failed: \(String(reflecting: error))")
            throw failure(.connection, "cannot connect to \(endpoint): \(Self.connectionProblem(error))")
        }
        logger.debug("\(method.rawValue) \(url) -> \(status) in \(Self.milliseconds(since: started)) ms")
        return (status, data)
    }

    /// A uuid as one path segment: anything but unreserved characters escaped, so a
    /// stray `/` or `?` cannot reach another route.
    static func pathComponent(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    private static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    private static func article<T>(_ type: T.Type) -> String {
        switch type {
        case is FractalObject.Type: return "a fractal object"
        case is FractalPage.Type: return "a page of fractals"
        default: return "the expected JSON"
        }
    }

    private static func decodingProblem(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "" : " at " + keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "'\(key.stringValue)' is missing\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return context.debugDescription + path(context)
        @unknown default: return "\(error)"
        }
    }

    /// The socket-level reason, as briefly as the error allows: `connection refused`.
    static func connectionProblem(_ error: Error) -> String {
        let text = String(describing: error)
        let known = [
            ("connection refused", "connection refused"), ("econnrefused", "connection refused"),
            ("no address", "unknown host"), ("name or service not known", "unknown host"),
            ("nodename nor servname", "unknown host"), ("host is unreachable", "host unreachable"),
            ("network is unreachable", "network unreachable"), ("connection reset", FaafoClientError.resetByTheServer),
            ("remoteconnectionclosed", FaafoClientError.closedByTheServer),
        ]
        let lowered = text.lowercased()
        for (needle, reason) in known where lowered.contains(needle) { return reason }
        return FaafoClientError.oneLine(text, limit: 200)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
