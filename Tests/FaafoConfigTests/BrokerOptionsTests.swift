import Foundation
import Testing

@testable import FaafoConfig

/// The options that reach RabbitMQ: several brokers, TLS files, the queue type, the heartbeat.
@Suite struct BrokerOptionsTests {
    static func load(_ cli: [String: String] = [:], env: [String: String] = [:]) throws -> FaafoConfiguration {
        try FaafoConfiguration.load(cliOverrides: cli, environment: env, configFilePath: nil, defaultConfigFilePath: nil)
    }

    static func message(_ cli: [String: String] = [:], env: [String: String] = [:]) -> String {
        do {
            _ = try load(cli, env: env)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        "amqp://u:p@h1:5672,u:p@h2:5672/", "amqps://u:p@h1,u:p@h2/prod", "amqp://u:p@h1//;u:p@h2//",
        "amqp://h1/;amqps://h2:5671/",
    ])
    func acceptsTransportURLsNamingSeveralBrokers(_ url: String) throws {
        #expect(try Self.load(["transport_url": url]).transportURL == url)
    }

    @Test func namesTheBrokerThatIsWrong() {
        let text = Self.message(["transport_url": "amqp://u:secret@h1:5672,u:secret@h2:99999/"])
        #expect(text.contains("broker 'amqp://u:***@h2:99999/'"), "\(text)")
        #expect(text.contains("port 99999 is out of range"), "\(text)")
        #expect(!text.contains("secret"), "\(text)")
        #expect(Self.message(["transport_url": "memory://,memory://"]).contains("not several brokers"))
    }

    @Test func hidesThePasswordOfEveryBroker() {
        #expect(
            Redaction.redactingPassword("amqp://a:one@h1:5672,b:two@h2:5672/")
                == "amqp://a:***@h1:5672,b:***@h2:5672/")
        #expect(Redaction.redactingPassword("amqp://a:one@h1//;b:two@h2//") == "amqp://a:***@h1//;b:***@h2//")
        #expect(Redaction.redactingPassword("amqp://guest:guest@localhost:5672//") == "amqp://guest:***@localhost:5672//")
    }

    @Test func readsTheTLSFilesFromEverySource() throws {
        let file = NSTemporaryDirectory() + "faafo-ca-\(UUID().uuidString).pem"
        try "PEM".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try Self.load(["amqp_ca_file": file]).amqpCAFile == file)
        #expect(try Self.load(env: ["FAAFO_AMQP_CA_FILE": file]).amqpCAFile == file)
        let both = try Self.load(["amqp-cert-file": file, "--amqp-key-file": file])
        #expect(both.amqpCertFile == file && both.amqpKeyFile == file)
        #expect(ConfigurationKey.amqpCAFile.option == "--amqp-ca-file")
        #expect(ConfigurationKey.amqpCAFile.environmentVariable == "FAAFO_AMQP_CA_FILE")
    }

    @Test func aMissingCAFileIsNamedWithItsSource() {
        let text = Self.message(env: ["FAAFO_AMQP_CA_FILE": "/nonexistent/ca.pem"])
        #expect(text.contains("amqp_ca_file '/nonexistent/ca.pem'"), "\(text)")
        #expect(text.contains("FAAFO_AMQP_CA_FILE"), "\(text)")
        #expect(text.contains("no such file"), "\(text)")
    }

    @Test func aClientCertificateNeedsItsKey() throws {
        let file = NSTemporaryDirectory() + "faafo-cert-\(UUID().uuidString).pem"
        try "PEM".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let text = Self.message(["amqp_cert_file": file])
        #expect(text.contains("also needs amqp_key_file (--amqp-key-file, FAAFO_AMQP_KEY_FILE)"), "\(text)")
    }

    @Test func queueTypeIsClassicUnlessQuorumIsAsked() throws {
        #expect(try Self.load().queueType == .classic)
        #expect(try Self.load(["queue_type": "quorum"]).queueType == .quorum)
        #expect(try Self.load(env: ["FAAFO_QUEUE_TYPE": "Quorum"]).queueType == .quorum)
        let text = Self.message(["queue_type": "stream"])
        #expect(text.contains("invalid queue_type 'stream'") && text.contains("expected classic or quorum"), "\(text)")
    }

    @Test func theHeartbeatIsTenSecondsUnlessSet() throws {
        #expect(try Self.load().amqpHeartbeat == 10)
        #expect(try Self.load(["amqp_heartbeat": "3"]).amqpHeartbeat == 3)
        #expect(try Self.load(env: ["FAAFO_AMQP_HEARTBEAT": "0"]).amqpHeartbeat == 0)
        let text = Self.message(env: ["FAAFO_AMQP_HEARTBEAT": "-1"])
        #expect(text.contains("invalid amqp_heartbeat '-1'") && text.contains("FAAFO_AMQP_HEARTBEAT"), "\(text)")
        #expect(Self.message(["amqp_heartbeat": "2.5"]).contains("whole seconds"))
    }
}
