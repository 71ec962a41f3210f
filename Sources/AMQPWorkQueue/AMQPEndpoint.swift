import Foundation
import WorkQueue

/// Where and as whom to connect, from an AMQP URL such as the original faafo's
/// `transport_url`: `amqp://user:password@host:port/vhost`.
///
/// Missing parts take RabbitMQ's defaults: user and password `guest`, host `localhost`,
/// port 5672, virtual host `/`. The virtual host is read as kombu and oslo.messaging (which
/// the original used) read it: everything after the path's first `/`, percent-decoded, so
/// that `amqp://h/` and `amqp://h` mean `/`, the original faafo.conf's `amqp://h:5672//`
/// means `/` too, and `%2F` spells `/` anywhere in a name (`amqp://h/%2Fprod` is `/prod`).
public struct AMQPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var virtualHost: String

    public init(
        host: String = "localhost", port: Int = 5672, user: String = "guest", password: String = "guest",
        virtualHost: String = "/"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.virtualHost = virtualHost
    }

    /// Parses an `amqp://` URL; throws `.invalidArgument` naming what is wrong.
    public init(url: String) throws(QueueError) {
        func invalid(_ why: String) -> QueueError {
            QueueError(.invalidArgument, "invalid AMQP URL '\(Self.redacted(url))': \(why)")
        }
        guard let components = URLComponents(string: url) else { throw invalid("not a URL") }
        switch components.scheme?.lowercased() {
        case "amqp": break
        case "amqps": throw invalid("TLS (amqps) is not supported")
        default: throw invalid("the scheme must be amqp://")
        }
        guard components.query == nil, components.fragment == nil else {
            throw invalid("query parameters are not supported")
        }
        self.init()
        if let host = components.host, !host.isEmpty {
            self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        }
        if let port = components.port {
            guard (1...65535).contains(port) else { throw invalid("port \(port) is out of range") }
            self.port = port
        }
        if let user = components.user { self.user = user }
        if let password = components.password { self.password = password }
        let path = components.percentEncodedPath
        if path.count > 1 {
            guard let virtualHost = String(path.dropFirst()).removingPercentEncoding else {
                throw invalid("bad percent-encoding in the virtual host")
            }
            self.virtualHost = virtualHost
        }
    }

    /// `host:port`, for messages.
    public var address: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The URL without the password.
    public var description: String {
        let vhost = virtualHost == "/" ? "" : virtualHost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "amqp://\(user)@\(address)/\(vhost)"
    }

    /// A URL with any password replaced by `***`, for error messages.
    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"),
            scheme.upperBound < at,
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}
