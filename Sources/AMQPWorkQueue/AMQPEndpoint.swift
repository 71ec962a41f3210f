import Foundation
import WorkQueue

/// Where and as whom to connect, from an AMQP URL such as the original faafo's
/// `transport_url`: `amqp://user:password@host:port/vhost`, or `amqps://` for TLS.
///
/// Missing parts take RabbitMQ's defaults: user and password `guest`, host `localhost`,
/// port 5672 (5671 with `amqps://`), virtual host `/`. The virtual host is read as kombu and
/// oslo.messaging (which the original used) read it: everything after the path's first `/`,
/// percent-decoded, so that `amqp://h/` and `amqp://h` mean `/`, the original faafo.conf's
/// `amqp://h:5672//` means `/` too, and `%2F` spells `/` anywhere in a name (`amqp://h/%2Fprod`
/// is `/prod`).
///
/// A transport URL may name several brokers (`brokers(url:)`); each is one endpoint.
public struct AMQPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var virtualHost: String
    /// True for `amqps://`: the connection runs over TLS and checks the broker's certificate
    /// and host name (see `AMQPWorkQueue.TLSFiles`).
    public var usesTLS: Bool

    public init(
        host: String = "localhost", port: Int? = nil, user: String = "guest", password: String = "guest",
        virtualHost: String = "/", usesTLS: Bool = false
    ) {
        self.host = host
        self.port = port ?? (usesTLS ? 5671 : 5672)
        self.user = user
        self.password = password
        self.virtualHost = virtualHost
        self.usesTLS = usesTLS
    }

    /// Parses an `amqp://` or `amqps://` URL naming one broker; throws `.invalidArgument`
    /// naming what is wrong (a URL naming several brokers included: see `brokers(url:)`).
    public init(url: String) throws(QueueError) {
        let brokers = try Self.brokers(url: url)
        guard brokers.count == 1 else {
            throw QueueError(
                .invalidArgument,
                "the AMQP URL '\(Self.redacted(url))' names \(brokers.count) brokers where one was expected")
        }
        self = brokers[0]
    }

    /// The brokers a transport URL names, in the order given, which is the order they are tried.
    ///
    /// Two spellings, as the original's libraries accept them, may be combined:
    /// - oslo.messaging's, hosts separated by commas and one shared virtual host after the last:
    ///   `amqp://u:p@h1:5672,u:p@h2:5672/vhost`;
    /// - kombu's, whole URLs separated by semicolons, each with its own virtual host; one without
    ///   a scheme takes the first one's: `amqp://u:p@h1//;u:p@h2//`.
    /// Each host takes its own user and password (RabbitMQ's defaults when it gives none).
    /// A `,` or `;` in a password must be percent-encoded (`%2C`, `%3B`).
    public static func brokers(url: String) throws(QueueError) -> [AMQPEndpoint] {
        let parts = url.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard let schemeRange = parts[0].range(of: "://") else {
            return [try single(url, whole: url)]
        }
        let firstScheme = parts[0][..<schemeRange.lowerBound]
        var brokers: [AMQPEndpoint] = []
        for part in parts {
            guard !part.isEmpty else {
                throw invalid(url, "an empty broker between semicolons")
            }
            let text = part.contains("://") ? part : "\(firstScheme)://\(part)"
            let schemeEnd = text.range(of: "://")!.upperBound
            let rest = text[schemeEnd...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
            let hosts = rest[..<authorityEnd].split(separator: ",", omittingEmptySubsequences: false)
            let path = rest[authorityEnd...]
            for host in hosts {
                guard !host.isEmpty || hosts.count == 1 else {
                    throw invalid(url, "an empty broker between commas")
                }
                brokers.append(try single(String(text[..<schemeEnd]) + host + path, whole: url))
            }
        }
        return brokers
    }

    private static func invalid(_ url: String, _ why: String) -> QueueError {
        QueueError(.invalidArgument, "invalid AMQP URL '\(redacted(url))': \(why)")
    }

    /// One broker's URL; errors name `whole`, the URL it came from.
    private static func single(_ url: String, whole: String) throws(QueueError) -> AMQPEndpoint {
        guard let components = URLComponents(string: url) else { throw invalid(whole, "not a URL") }
        let usesTLS: Bool
        switch components.scheme?.lowercased() {
        case "amqp": usesTLS = false
        case "amqps": usesTLS = true
        default: throw invalid(whole, "the scheme must be amqp:// or amqps://")
        }
        guard components.query == nil, components.fragment == nil else {
            throw invalid(whole, "query parameters are not supported")
        }
        var endpoint = AMQPEndpoint(usesTLS: usesTLS)
        if let host = components.host, !host.isEmpty {
            endpoint.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        }
        if let port = components.port {
            guard (1...65535).contains(port) else { throw invalid(whole, "port \(port) is out of range") }
            endpoint.port = port
        }
        if let user = components.user { endpoint.user = user }
        if let password = components.password { endpoint.password = password }
        let path = components.percentEncodedPath
        if path.count > 1 {
            guard let virtualHost = String(path.dropFirst()).removingPercentEncoding else {
                throw invalid(whole, "bad percent-encoding in the virtual host")
            }
            endpoint.virtualHost = virtualHost
        }
        return endpoint
    }

    /// `host:port`, for messages.
    public var address: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The URL without the password.
    public var description: String {
        let vhost = virtualHost == "/" ? "" : virtualHost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "\(usesTLS ? "amqps" : "amqp")://\(user)@\(address)/\(vhost)"
    }

    /// A URL with every password replaced by `***`, for error messages: the text between
    /// a user's `:` and `@` in each broker (after `://`, `,` or `;`).
    static func redacted(_ url: String) -> String {
        url.replacing(/(:\/\/|[,;])([^:@\/,;]*):[^@\/,;]*@/) { match in "\(match.1)\(match.2):***@" }
    }
}
