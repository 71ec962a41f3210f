/// The options of faafo's services and CLI, as the original's `faafo.conf` named them,
/// typed and validated.
///
/// `FaafoConfiguration()` is the built-in defaults, which run everything in one process
/// for a non-root user on a fresh machine: the in-process queue, a SQLite file in the
/// working folder, images in the database, the API on port 8080. `load(...)` layers
/// the config file, the environment and the command line over them.
public struct FaafoConfiguration: Hashable, Sendable {
    /// The default config file, read when it exists and no other file is named.
    public static let defaultConfigFilePath = "/etc/faafo/faafo.conf"
    /// The environment variable that names a config file, like `--config-file`.
    public static let configFileVariable = "FAAFO_CONFIG_FILE"
    /// `transport_url` schemes: RabbitMQ, or the in-process queue.
    public static let transportSchemes: Set<String> = ["amqp", "amqps", "memory"]

    /// The work queue: `amqp://user:password@host:5672/vhost`, or `memory://` for the
    /// in-process queue. Default `memory://` (the original's was RabbitMQ on localhost).
    public var transportURL = "memory://"
    /// The CA file (PEM) that verifies `amqps://` brokers; `nil` uses the system's.
    public var amqpCAFile: String?
    /// A client certificate (PEM) for `amqps://`, with `amqpKeyFile`.
    public var amqpCertFile: String?
    /// The private key (PEM) of `amqpCertFile`.
    public var amqpKeyFile: String?
    /// The task queue's type on RabbitMQ: `classic` (as the original declares it) or `quorum`.
    public var queueType = QueueTypeOption.classic
    /// Seconds between AMQP heartbeats, proposed to the broker (the lower non-zero value
    /// of the two is used); 0 proposes none. Either side drops a connection that stays
    /// silent for about two intervals, so this bounds how long a partitioned worker's
    /// tasks stay held before the broker hands them to another worker.
    public var amqpHeartbeat = 10
    /// Where fractals are stored. Default `sqlite:///faafo.db`: a file in the working
    /// folder, which any user can create (the original's `/var/lib/faafo` needs root).
    public var databaseURL = "sqlite:///faafo.db"
    /// Connections an API opens to a PostgreSQL `database_url` at most (its pool).
    public var databasePoolSize = 10
    /// The API as its clients (the CLI, the workers) reach it.
    public var endpointURL = "http://localhost:8080"
    /// The address the API listens on.
    public var listenAddress = "0.0.0.0"
    /// The port the API listens on; 0 asks the system for a free one.
    public var bindPort = 8080
    /// Where the API keeps PNG files.
    public var imageStore = ImageStore.database
    /// OpenStack Swift's v1.0 auth URL, for `image_store = swift://`.
    public var swiftAuthURL: String?
    /// The Swift user (`account:user`), for `image_store = swift://`.
    public var swiftUser: String?
    /// The Swift user's key; never printed (`text(of:)` hides it).
    public var swiftKey: String?
    /// Workers the API runs in its own process; `nil` means `effectiveWorkers`' default.
    public var workers: Int?
    /// Threads a worker renders one fractal with; 0 means one per core.
    public var renderThreads = 0
    /// The largest width × height × iterations accepted; `nil` means the render contract's.
    public var workBudget: Int?
    /// Fractals in one page of `GET /v1/fractal` (Flask-Restless's default: 10).
    public var resultsPerPage = 10
    /// Seconds an HTTP client waits to connect to the API.
    public var connectTimeout = 10.0
    /// Seconds an HTTP client waits for one whole request, body included.
    public var requestTimeout = 60.0
    /// Seconds the API keeps a connection on which nothing arrives: one stalled halfway
    /// through a request, or an idle keep-alive one. Longer than AsyncHTTPClient's pool
    /// keeps idle connections (60 s), so the API never closes one a worker is reusing.
    public var idleTimeout = 75.0
    /// The port faafo-worker serves its metrics on, at `listenAddress`; 0 serves none.
    public var metricsPort = 0
    /// The bearer token result and failure PUTs must carry; `nil` leaves them open, as
    /// the original was. Never printed, like `swiftKey`.
    public var workerToken: String?
    /// The bearer token DELETE must carry, also accepted wherever `workerToken` or
    /// `createToken` is; `nil` leaves DELETE open. Never printed.
    public var operatorToken: String?
    /// The bearer token `POST /v1/fractal` must carry; `nil` leaves it open. Never printed.
    public var createToken: String?
    /// Log at INFO level.
    public var verbose = false
    /// Log at DEBUG level.
    public var debug = false

    /// Where each value came from; keys absent here have their built-in default.
    public var sources: [ConfigurationKey: ConfigurationSource] = [:]
    /// The config file that was read, if any.
    public var configFile: String?
    /// Keys of the file's `[DEFAULT]` section that no faafo program reads, with their
    /// lines, sorted by line: worth a warning, not an error (oslo.config ignored them too).
    public var ignoredFileKeys: [(key: String, line: Int)] { ignoredKeys.map { ($0.key, $0.line) } }
    var ignoredKeys: [IgnoredKey] = []

    struct IgnoredKey: Hashable, Sendable {
        var key: String
        var line: Int
    }

    public init() {}

    /// Whether `transport_url` selects the in-process queue.
    public var usesInMemoryQueue: Bool { transportURL.lowercased().hasPrefix("memory:") }

    /// Workers to run in the API's process: `workers` when set, else 1 with the
    /// in-process queue (nothing else would take its tasks) and 0 with RabbitMQ.
    public var effectiveWorkers: Int { workers ?? (usesInMemoryQueue ? 1 : 0) }

    /// `database_url`, parsed. Always succeeds for a loaded configuration.
    public var database: DatabaseLocation {
        get throws(ConfigurationError) {
            switch DatabaseLocation.parse(databaseURL) {
            case .success(let location): return location
            case .failure(let error):
                throw .invalid(.databaseURL, databaseURL, from: source(of: .databaseURL), error.reason)
            }
        }
    }

    /// Where the value of `key` came from.
    public func source(of key: ConfigurationKey) -> ConfigurationSource {
        sources[key] ?? .builtInDefault
    }

    /// The value of `key` as text, as a config file would spell it; passwords hidden
    /// when `redacted`. Empty for an unset optional value.
    public func text(of key: ConfigurationKey, redacted: Bool = true) -> String {
        let text: String
        switch key {
        case .transportURL: text = transportURL
        case .amqpCAFile: text = amqpCAFile ?? ""
        case .amqpCertFile: text = amqpCertFile ?? ""
        case .amqpKeyFile: text = amqpKeyFile ?? ""
        case .queueType: text = queueType.rawValue
        case .amqpHeartbeat: text = String(amqpHeartbeat)
        case .databaseURL: text = databaseURL
        case .databasePoolSize: text = String(databasePoolSize)
        case .endpointURL: text = endpointURL
        case .listenAddress: text = listenAddress
        case .bindPort: text = String(bindPort)
        case .imageStore: text = imageStore.description
        case .swiftAuthURL: text = swiftAuthURL ?? ""
        case .swiftUser: text = swiftUser ?? ""
        case .swiftKey: text = Self.secret(swiftKey, redacted: redacted)
        case .workerToken: text = Self.secret(workerToken, redacted: redacted)
        case .operatorToken: text = Self.secret(operatorToken, redacted: redacted)
        case .createToken: text = Self.secret(createToken, redacted: redacted)
        case .workers: text = workers.map(String.init) ?? ""
        case .renderThreads: text = String(renderThreads)
        case .workBudget: text = workBudget.map(String.init) ?? ""
        case .resultsPerPage: text = String(resultsPerPage)
        case .connectTimeout: text = String(connectTimeout)
        case .requestTimeout: text = String(requestTimeout)
        case .idleTimeout: text = String(idleTimeout)
        case .metricsPort: text = String(metricsPort)
        case .verbose: text = String(verbose)
        case .debug: text = String(debug)
        }
        return redacted ? Redaction.redactingPassword(text) : text
    }

    /// A secret as `***` when `redacted`: whether it is set shows, never what it is.
    private static func secret(_ value: String?, redacted: Bool) -> String {
        value.map { redacted ? ($0.isEmpty ? "" : "***") : $0 } ?? ""
    }

    /// One line a key, `key = value  # source`, sorted by key, passwords hidden: for a
    /// `--debug` log of what a program runs with.
    public var summaryLines: [String] {
        ConfigurationKey.allCases.sorted().map { key in
            var value = text(of: key)
            switch key {
            case .workers where workers == nil: value = "\(effectiveWorkers) (1 with memory://, else 0)"
            case .workBudget where workBudget == nil: value = "(the render contract's)"
            default: break
            }
            return "\(key.name) = \(value)  # \(source(of: key))"
        }
    }
}

/// `queue_type`: how RabbitMQ holds the task queue.
public enum QueueTypeOption: String, CaseIterable, Hashable, Sendable {
    /// Declared with no arguments, as the original faafo's kombu declares it.
    case classic
    /// A replicated quorum queue (`x-queue-type: quorum`), which the original cannot declare.
    case quorum
}
