import FaafoCluster
import FaafoConfig
import Foundation
import Testing

/// faafo-api's and faafo-worker's `--help` describe each option that is also a faafo.conf
/// key with that key's one description (`ConfigurationKey.help`), so the two cannot drift.
@Suite struct ServiceHelpTests {
    /// The keys each executable takes as options.
    static let options: [(executable: String, keys: [ConfigurationKey])] = [
        (
            "faafo-api",
            [
                .transportURL, .amqpCAFile, .amqpCertFile, .amqpKeyFile, .queueType, .amqpHeartbeat, .databaseURL,
                .databasePoolSize, .imageStore, .swiftAuthURL, .swiftUser, .swiftKey, .listenAddress, .bindPort, .workers,
                .workBudget, .idleTimeout, .workerToken, .operatorToken, .createToken,
            ]
        ),
        (
            "faafo-worker",
            [
                .transportURL, .amqpCAFile, .amqpCertFile, .amqpKeyFile, .queueType, .amqpHeartbeat, .endpointURL,
                .workerToken, .metricsPort, .listenAddress,
            ]
        ),
    ]

    /// `text` with every run of white space as one space: the help is wrapped to the width.
    static func flattened(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test(arguments: options.map(\.executable))
    func eachOptionIsDescribedByItsKey(_ executable: String) async throws {
        let keys = try #require(Self.options.first { $0.executable == executable }).keys
        let folder = FaafoProcess.executable.deletingLastPathComponent()
        let output = try await CommandOutput.run(
            folder.appending(path: executable), ["--help"], environment: FaafoProcess.environment())
        #expect(output.status == 0)
        let help = Self.flattened(output.text)
        for key in keys {
            #expect(help.contains("\(key.option) <\(key.option.dropFirst(2))> \(Self.flattened(key.help))"), "\(key)")
        }
    }
}
