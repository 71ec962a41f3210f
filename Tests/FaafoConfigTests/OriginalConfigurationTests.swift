import Foundation
import Testing

@testable import FaafoConfig

/// The original faafo's etc/faafo.conf, as it ships, loads unchanged.
@Suite struct OriginalConfigurationTests {
    @Test func theOriginalFaafoConfLoads() throws {
        // The settings of the original's etc/faafo.conf, kept beside the
        // stand-ins of its services.
        let original = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "OriginalFaafo/faafo.conf")
        let c = try FaafoConfiguration.load(
            cliOverrides: [:], environment: [:], configFilePath: original.path, defaultConfigFilePath: nil)
        #expect(c.transportURL == "amqp://guest:guest@localhost:5672//")
        #expect(!c.usesInMemoryQueue)
        #expect(try c.database == .sqlite(path: "/tmp/sqlite.db"))
        #expect(c.endpointURL == "http://localhost")
        #expect(c.bindPort == 8080 && c.listenAddress == "0.0.0.0", "commented out: the defaults stand")
        #expect(c.ignoredFileKeys.isEmpty)
    }
}
