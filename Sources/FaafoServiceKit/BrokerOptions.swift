import AMQPWorkQueue
import ArgumentParser
import FaafoConfig

/// The broker's options, which faafo-api and faafo-worker both take (`@OptionGroup`): each
/// is also a faafo.conf key and a `FAAFO_*` variable, read by `FaafoConfiguration.load`.
public struct BrokerOptions: ParsableArguments {
    @Option(help: .key(.transportURL)) var transportUrl: String?
    @Option(help: .key(.amqpCAFile)) var amqpCaFile: String?
    @Option(help: .key(.amqpCertFile)) var amqpCertFile: String?
    @Option(help: .key(.amqpKeyFile)) var amqpKeyFile: String?
    @Option(help: .key(.queueType)) var queueType: String?
    @Option(help: .key(.amqpHeartbeat)) var amqpHeartbeat: String?

    public init() {}

    /// The options given, as `FaafoConfiguration.load`'s command-line overrides.
    public func add(to overrides: inout [String: String]) {
        overrides[.transportURL] = transportUrl
        overrides[.amqpCAFile] = amqpCaFile
        overrides[.amqpCertFile] = amqpCertFile
        overrides[.amqpKeyFile] = amqpKeyFile
        overrides[.queueType] = queueType
        overrides[.amqpHeartbeat] = amqpHeartbeat
    }
}

extension ArgumentHelp {
    /// The help of an option that is also a faafo.conf key: the key's own description
    /// (`ConfigurationKey.help`), so that every executable says the same of it.
    public static func key(_ key: ConfigurationKey) -> ArgumentHelp { ArgumentHelp(key.help) }
}

extension AMQPWorkQueue.Options {
    /// What faafo.conf sets of the AMQP queue: the TLS files, the queue type, the heartbeat.
    /// `connectionName` is how the broker lists this process's connections
    /// (`faafo-worker host-1 consumer 1`), so that an operator can tell whose they are.
    public init(_ configuration: FaafoConfiguration, connectionName: String) {
        self.init(
            heartbeat: .seconds(configuration.amqpHeartbeat),
            connectionName: connectionName,
            tls: TLSFiles(
                caFile: configuration.amqpCAFile, certFile: configuration.amqpCertFile,
                keyFile: configuration.amqpKeyFile),
            queueType: configuration.queueType == .quorum ? .quorum : .classic)
    }
}
