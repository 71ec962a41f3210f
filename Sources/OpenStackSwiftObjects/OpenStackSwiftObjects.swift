import AsyncHTTPClient
import Crypto
import Foundation
import FractalStore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Images in one container of an OpenStack Swift object store, so that every API host
/// sees the same ones. It authenticates with the v1.0 protocol of Swift's tempauth
/// (`X-Auth-User` and `X-Auth-Key` in, `X-Auth-Token` and `X-Storage-Url` out).
///
/// Every call is bounded: a connection is given `connectTimeout`, a whole call
/// `requestTimeout`, and a refused connection fails at once rather than being tried
/// again (the worker sends its result again, the API answers 503 meanwhile). A token
/// that Swift stops accepting (401) is renewed once and the call made again. Failures are
/// `StoreError`s that name the object and what failed, never the key nor a token.
///
/// The client owns its `HTTPClient`: call `shutdown()` once done.
public final class OpenStackSwiftObjects: ImageObjects, CustomStringConvertible {
    /// A token and the account URL it is good for, as the auth service last answered.
    private struct Session: Sendable {
        var token: String
        var storageURL: String
    }

    /// The largest image `get` accepts (1 GiB, as `FaafoAPIClient` accepts from the API).
    static let largestImage = 1 << 30

    public let container: String
    /// How long one whole call may take, from sending the request to the end of the answer.
    public let requestTimeout: Duration
    private let authURL: String
    private let user: String
    private let key: String
    private let http: HTTPClient
    private let session: Mutex<Session>
    private let logger: Logger

    /// Authenticates at `authURL` as `user` with `key` and creates `container` if it is
    /// missing. Throws a `StoreError` naming the setting at fault: `swift_auth_url` (not an
    /// http(s) URL, unreachable, or no token in the answer), `swift_user`/`swift_key`
    /// (refused), `image_store` (a container name Swift refuses).
    public init(
        authURL: String, user: String, key: String, container: String, connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30), logger: Logger
    ) async throws {
        try Self.checkAuthURL(authURL)
        try Self.checkContainer(container)
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: TimeAmount(connectTimeout), read: TimeAmount(requestTimeout))
        // A proxy that is down fails the call now; the caller's retry covers the rest.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.authURL = authURL
        self.user = user
        self.key = key
        self.container = container
        self.requestTimeout = requestTimeout
        self.http = http
        self.logger = logger
        do {
            let session = try await Self.authenticate(
                authURL: authURL, user: user, key: key, http: http, timeout: requestTimeout, logger: logger)
            self.session = Mutex(session)
            try await createContainer()
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// Closes the client's connections. No call may follow.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    public var description: String {
        "Swift container '\(container)' at \(session.withLock { $0.storageURL })"
    }

    // MARK: ImageObjects

    public func put(_ png: Data, named name: String, sha256: String) async throws {
        let etag = Insecure.MD5.hash(data: png).map { String(format: "%02x", $0) }.joined()
        let headers: HTTPHeaders = [
            "Content-Type": "image/png", "ETag": etag, "X-Object-Meta-Sha256": sha256,
        ]
        let (status, _) = try await storage(.PUT, object: name, headers: headers, body: png)
        switch status {
        case 201:
            return
        case 202:
            // Swift holds a write of this name with a timestamp at least this one's (two
            // PUTs of one result at once) and dropped this one: a newer object, whole, or
            // a newer deletion. Only the object's presence tells them apart.
            let (found, _) = try await storage(.HEAD, object: name)
            guard found == 200 else {
                throw StoreError(
                    "PUT of Swift object '\(name)' in container '\(container)' answered 202 (a newer write of that "
                        + "name won) and the object is not there (HEAD answered \(found)): a newer deletion won")
            }
        case 422:
            throw StoreError("Swift refused object '\(name)' in container '\(container)': its MD5 does not match (422)")
        default:
            throw unexpected(status, "PUT", object: name)
        }
    }

    public func get(_ name: String) async throws -> Data? {
        let (status, body) = try await storage(.GET, object: name)
        switch status {
        case 200: return body
        case 404: return nil
        default: throw unexpected(status, "GET", object: name)
        }
    }

    /// The object as Swift sends it: each chunk is read from the connection only once the
    /// one before has been taken.
    public func chunks(of name: String) async throws -> ImageChunks? {
        let response = try await send(.GET, object: name)
        switch response.status.code {
        case 200:
            break
        case 404:
            _ = try await collect(response.body, .GET, object: name)
            return nil
        default:
            _ = try? await collect(response.body, .GET, object: name)
            throw unexpected(Int(response.status.code), "GET", object: name)
        }
        guard let length = response.headers.first(name: "Content-Length").flatMap(Int.init) else {
            // No length to promise the client: read it whole.
            return ImageChunks(whole: try await collect(response.body, .GET, object: name))
        }
        let body = response.body
        let what = describe(name)
        return ImageChunks(length: length) { take in
            var received = 0
            var chunks = body.makeAsyncIterator()
            while true {
                let buffer: ByteBuffer?
                do {
                    buffer = try await chunks.next()
                } catch {
                    throw StoreError(
                        "GET of Swift \(what) broke off after \(received) of \(length) bytes: \(Self.describe(error))")
                }
                guard let buffer else { break }
                received += buffer.readableBytes
                // The reader's own failure (its client gone, say) is its own, passed on as it is.
                try await take(Data(buffer.readableBytesView))
            }
            guard received == length else {
                throw StoreError("GET of Swift \(what) ended after \(received) of \(length) bytes")
            }
        }
    }

    /// A HEAD of the container: Swift's proxy, its token and the container all answer.
    public func checkAnswers() async throws {
        let (status, _) = try await storage(.HEAD, object: nil)
        guard (200..<300).contains(status) else {
            throw StoreError("HEAD of Swift container '\(container)' answered \(status)")
        }
    }

    public func remove(_ name: String) async throws {
        let (status, _) = try await storage(.DELETE, object: name)
        guard status == 204 || status == 404 else { throw unexpected(status, "DELETE", object: name) }
    }

    /// Makes the next storage call meet a token Swift does not know, as after the real one
    /// expires, so that tests see it renewed.
    @_spi(Testing) public func spoilToken() {
        session.withLock { $0.token = "AUTH_tk-spoilt" }
    }

    // MARK: Plumbing

    /// Refuses what cannot be a tempauth URL before anything is sent.
    private static func checkAuthURL(_ url: String) throws {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = parts.host, !host.isEmpty
        else {
            throw StoreError("swift_auth_url '\(url)' is not an http:// or https:// URL")
        }
    }

    /// Swift's own limits on a container's name that are cheap to check here: a `/` would
    /// make it an object path, and more than 256 bytes is refused.
    private static func checkContainer(_ name: String) throws {
        if name.isEmpty { throw StoreError("image_store names no Swift container") }
        if name.contains("/") { throw StoreError("image_store: the Swift container '\(name)' contains '/'") }
        if name.utf8.count > 256 {
            throw StoreError("image_store: the Swift container's name is \(name.utf8.count) bytes long, more than 256")
        }
    }

    private static func authenticate(
        authURL: String, user: String, key: String, http: HTTPClient, timeout: Duration, logger: Logger
    ) async throws -> Session {
        var request = HTTPClientRequest(url: authURL)
        request.headers.add(name: "X-Auth-User", value: user)
        request.headers.add(name: "X-Auth-Key", value: key)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: TimeAmount(timeout), logger: nil)
            _ = try await response.body.collect(upTo: 1 << 20)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw StoreError("cannot reach Swift's auth service at swift_auth_url \(authURL): \(describe(error))")
        }
        let status = Int(response.status.code)
        switch status {
        case 200..<300:
            guard let token = response.headers.first(name: "X-Auth-Token"), !token.isEmpty,
                let storageURL = response.headers.first(name: "X-Storage-Url"), !storageURL.isEmpty
            else {
                throw StoreError("swift_auth_url \(authURL) answered \(status) without X-Auth-Token and X-Storage-Url")
            }
            logger.debug("authenticated at \(authURL) as \(user); storage at \(storageURL)")
            return Session(token: token, storageURL: storageURL)
        case 401, 403:
            throw StoreError("Swift at \(authURL) refused user '\(user)' (\(status)): check swift_user and swift_key")
        default:
            throw StoreError("swift_auth_url \(authURL) answered \(status) \(response.status.reasonPhrase)")
        }
    }

    /// Creates the container; one that exists already is kept as it is.
    private func createContainer() async throws {
        let (status, _) = try await storage(.PUT, object: nil, body: Data())
        guard status == 201 || status == 202 else {
            throw StoreError("Swift refused to create the container '\(container)' named by image_store (\(status))")
        }
    }

    /// One call on the container (`object` nil) or one of its objects, made again once with
    /// a new token if Swift answers 401. Returns any status Swift answers with, and its body.
    private func storage(
        _ method: HTTPMethod, object: String?, headers: HTTPHeaders = [:], body: Data? = nil
    ) async throws -> (status: Int, body: Data) {
        let response = try await send(method, object: object, headers: headers, body: body)
        let data = try await collect(response.body, method, object: object)
        logger.debug("\(method.rawValue) \(describe(object)) -> \(response.status.code)")
        return (Int(response.status.code), data)
    }

    /// The call of `storage`, its answer's body not yet read.
    private func send(
        _ method: HTTPMethod, object: String?, headers: HTTPHeaders = [:], body: Data? = nil
    ) async throws -> HTTPClientResponse {
        var renewed = false
        while true {
            let current = session.withLock { $0 }
            var path = current.storageURL + "/" + Self.percentEncoded(container)
            if let object {
                path += "/" + object.split(separator: "/", omittingEmptySubsequences: false)
                    .map(Self.percentEncoded).joined(separator: "/")
            }
            var request = HTTPClientRequest(url: path)
            request.method = method
            request.headers = headers
            request.headers.replaceOrAdd(name: "X-Auth-Token", value: current.token)
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: TimeAmount(requestTimeout), logger: nil)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw StoreError("\(method.rawValue) of Swift \(describe(object)) failed: \(Self.describe(error))")
            }
            guard response.status.code == 401, !renewed else { return response }
            _ = try await collect(response.body, method, object: object)
            logger.info("Swift refused the token for \(describe(object)); authenticating again")
            let fresh = try await Self.authenticate(
                authURL: authURL, user: user, key: key, http: http, timeout: requestTimeout, logger: logger)
            session.withLock { $0 = fresh }
            renewed = true
        }
    }

    private func collect(_ body: HTTPClientResponse.Body, _ method: HTTPMethod, object: String?) async throws -> Data {
        do {
            return Data(try await body.collect(upTo: Self.largestImage).readableBytesView)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw StoreError("\(method.rawValue) of Swift \(describe(object)) failed: \(Self.describe(error))")
        }
    }

    private func describe(_ object: String?) -> String {
        object.map { "object '\($0)' in container '\(container)'" } ?? "container '\(container)'"
    }

    private func unexpected(_ status: Int, _ method: String, object name: String) -> StoreError {
        let cause = status == 401 ? "a token it refused even when new" : "\(status)"
        return StoreError("\(method) of Swift object '\(name)' in container '\(container)' answered \(cause)")
    }

    /// One path segment with every byte but RFC 3986's unreserved characters escaped, so
    /// that `?`, `#`, `%` or non-ASCII letters in a name reach Swift as themselves.
    package static func percentEncoded(_ segment: some StringProtocol) -> String {
        var text = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                text += String(format: "%%%02X", byte)
            }
        }
        return text
    }

    /// A transport failure in a few words: AsyncHTTPClient's and NIO's own descriptions,
    /// which carry neither headers nor bodies.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout:
            return "no answer within the request timeout"
        case let error as HTTPClientError where error == .connectTimeout:
            return "cannot connect: timed out"
        case is NIOTooManyBytesError:
            return "the answer is larger than \(largestImage) bytes"
        default:
            let text = String(describing: error)
            // NIO's wording of a refused connect is a sentence of its internals.
            return text.contains("Connection refused") ? "connection refused" : text
        }
    }
}
