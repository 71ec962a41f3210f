/// One option of `faafo.conf`, with the three spellings the original used for it.
///
/// The config file and `cliOverrides` use the key (`bind_port`; `bind-port` is accepted
/// too, as oslo.config did), the command line the option (`--bind-port`), the
/// environment the variable (`FAAFO_BIND_PORT`).
public enum ConfigurationKey: String, CaseIterable, Comparable, Hashable, Sendable, CustomStringConvertible {
    case transportURL = "transport_url"
    case amqpCAFile = "amqp_ca_file"
    case amqpCertFile = "amqp_cert_file"
    case amqpKeyFile = "amqp_key_file"
    case queueType = "queue_type"
    case amqpHeartbeat = "amqp_heartbeat"
    case databaseURL = "database_url"
    case databasePoolSize = "database_pool_size"
    case endpointURL = "endpoint_url"
    case listenAddress = "listen_address"
    case bindPort = "bind_port"
    case imageStore = "image_store"
    case swiftAuthURL = "swift_auth_url"
    case swiftUser = "swift_user"
    case swiftKey = "swift_key"
    case workers
    case renderThreads = "render_threads"
    case workBudget = "work_budget"
    case resultsPerPage = "results_per_page"
    case connectTimeout = "connect_timeout"
    case requestTimeout = "request_timeout"
    case idleTimeout = "idle_timeout"
    case metricsPort = "metrics_port"
    case workerToken = "worker_token"
    case operatorToken = "operator_token"
    case createToken = "create_token"
    case verbose
    case debug

    /// The key as the config file spells it: `transport_url`.
    public var name: String { rawValue }
    /// The command-line option: `--transport-url`.
    public var option: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }
    /// The environment variable: `FAAFO_TRANSPORT_URL`.
    public var environmentVariable: String { "FAAFO_" + rawValue.uppercased() }
    public var description: String { rawValue }

    /// The key named `name`, spelled as in the file (`bind_port`), with dashes
    /// (`bind-port`) or as an option (`--bind-port`); case does not matter.
    public init?(named name: String) {
        var normalized = name.lowercased()
        while normalized.hasPrefix("-") { normalized.removeFirst() }
        self.init(rawValue: normalized.replacingOccurrences(of: "-", with: "_"))
    }

    /// Whether the value is a credential: never shown (`***`), and better kept out of the
    /// command line, where ps shows it.
    public var isSecret: Bool { [.swiftKey, .workerToken, .operatorToken, .createToken].contains(self) }

    /// The one description of the option: faafo-api's and faafo-worker's `--help` and the
    /// documentation use it. A secret's says where else it can be given.
    public var help: String {
        isSecret ? "\(summary) \(environmentVariable) or faafo.conf keep it out of ps." : summary
    }

    private var summary: String {
        switch self {
        case .transportURL:
            return "The work queue: amqp://user:password@host:5672/, amqps:// (TLS), several brokers "
                + "(amqp://u:p@h1:5672,u:p@h2:5672/) or memory:// (faafo-api's in-process queue)."
        case .amqpCAFile:
            return "The CA certificates (PEM) that verify an amqps:// broker (default: the system's)."
        case .amqpCertFile: return "A client certificate (PEM) for an amqps:// broker that asks for one."
        case .amqpKeyFile: return "The private key (PEM) of amqp_cert_file."
        case .queueType:
            return "The task queue's type: classic (the default, the original faafo's) or quorum (replicated; "
                + "the original's worker cannot share it)."
        case .amqpHeartbeat:
            return "Seconds between AMQP heartbeats (default 10; 0: none); a broker that proposes fewer wins. "
                + "A dead connection is noticed after about two of them."
        case .databaseURL:
            return "Where fractals are stored: sqlite:///relative.db, sqlite:////absolute.db, "
                + "postgresql://user:password@host:5432/database, memory://."
        case .databasePoolSize: return "Connections the API keeps to a PostgreSQL database at most (default 10)."
        case .endpointURL: return "The API's URL, for the CLI and the workers' results."
        case .listenAddress:
            return "The address faafo-api listens on, and faafo-worker's metrics port (default: 0.0.0.0)."
        case .bindPort: return "The port the API listens on (default 8080; 0: any free port)."
        case .imageStore:
            return "Where PNG files are kept: database (the default), file:///absolute/folder, "
                + "or swift://CONTAINER (OpenStack Swift)."
        case .swiftAuthURL:
            return "OpenStack Swift's v1.0 auth URL (tempauth), for image_store = swift://: http://host:8080/auth/v1.0."
        case .swiftUser: return "The Swift user, for image_store = swift://: account:user."
        case .swiftKey: return "The Swift user's key (its password), for image_store = swift://."
        case .workers: return "Workers the API runs in its own process (default: 1 with memory://, else 0)."
        case .renderThreads: return "Threads faafo-api's in-process workers render one fractal with (0: one per core)."
        case .workBudget: return "The largest width × height × iterations accepted (default: the render contract's)."
        case .resultsPerPage: return "Fractals in one page of GET /v1/fractal."
        case .connectTimeout: return "Seconds an HTTP client waits to connect to the API."
        case .requestTimeout: return "Seconds an HTTP client waits for one whole API request."
        case .idleTimeout:
            return "Seconds the API keeps a connection that sends nothing: half a request, or an idle keep-alive."
        case .metricsPort:
            return "The port faafo-worker serves /metrics and /healthz on, at listen_address (default: 0, none)."
        case .workerToken:
            return "The bearer token the API asks of result and failure PUTs, and workers send (default: none, open)."
        case .operatorToken:
            return "The bearer token the API asks of DELETE and also accepts for every other write (default: none)."
        case .createToken:
            return "The bearer token the API asks of POST /v1/fractal, and faafo create sends (default: none, open)."
        case .verbose: return "Log at INFO level."
        case .debug: return "Log at DEBUG level."
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

extension [String: String] {
    /// The value given for `key`, in `FaafoConfiguration.load`'s `cliOverrides`.
    public subscript(key: ConfigurationKey) -> String? {
        get { self[key.name] }
        set { self[key.name] = newValue }
    }
}
