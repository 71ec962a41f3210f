import AMQPWorkQueue
import ArgumentParser
import FaafoConfig

/// The broker's options, which faafo-api and faafo-worker both take (`@OptionGroup`): each
/// is also a faafo.conf key and a `FAAFO_*` variable, read by `FaafoConfiguration.load`.
public struct BrokerOptions: ParsableArguments {
    @Option(help: "The broker: amqp://user:pass@host:port/, amqps:// (TLS), several as amqp://u:p@h1,u:p@h2/, or memory:// (faafo-api's in-process queue).")
    var transportUrl: String?
    @Option(help: "The CA file (PEM) that verifies an amqps:// broker (default: the system's).") var amqpCaFile: String?
    @Option(help: "A client certificate (PEM) for an amqps:// broker that asks for one.") var amqpCertFile: String?
    @Option(help: "The private key (PEM) of --amqp-cert-file.") var amqpKeyFile: String?
    @Option(help: "The task queue's type: classic (default, the original's) or quorum (replicated).") var queueType: String?
    @Option(help: "Seconds between AMQP heartbeats (default 10; 0: none).") var amqpHeartbeat: String?

    public init() {}

    /// The options given, as `FaafoConfiguration.load`'s command-line overrides.
    public func add(to overrides: inout [String: String]) {
        overrides["transport_url"] = transportUrl
        overrides["amqp_ca_file"] = amqpCaFile
        overrides["amqp_cert_file"] = amqpCertFile
        overrides["amqp_key_file"] = amqpKeyFile
        overrides["queue_type"] = queueType
        overrides["amqp_heartbeat"] = amqpHeartbeat
    }
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
