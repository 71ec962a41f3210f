import FaafoCluster
import Foundation

/// A CA of a test's own, a server certificate it signs for `localhost` and 127.0.0.1, and a
/// second CA that signs nothing (to check that verification refuses the server), made with
/// `openssl` (P-256 keys, valid two days).
package struct TestCertificates: Sendable {
    package let caFile: String
    package let serverCertFile: String
    package let serverKeyFile: String
    /// A CA that did not sign the server's certificate.
    package let otherCAFile: String

    package static func make(in directory: String) async throws -> TestCertificates {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func openssl(_ arguments: [String]) async throws {
            let result = try await CommandOutput.run(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
            guard result.status == 0 else {
                throw TestRabbitMQError("openssl \(arguments.joined(separator: " ")) failed: \(result.stderr)")
            }
        }
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "other-ca"] {
            try await openssl(
                ["req", "-x509"] + key + [
                    "-keyout", "\(directory)/\(ca).key", "-out", "\(directory)/\(ca).pem", "-days", "2",
                    "-subj", "/CN=faafo test \(ca)",
                ])
        }
        try await openssl(
            ["req"] + key + [
                "-keyout", "\(directory)/server.key", "-out", "\(directory)/server.csr", "-subj", "/CN=localhost",
            ])
        try "subjectAltName = DNS:localhost, IP:127.0.0.1\nbasicConstraints = CA:FALSE\n".write(
            toFile: "\(directory)/server.ext", atomically: false, encoding: .utf8)
        try await openssl([
            "x509", "-req", "-in", "\(directory)/server.csr", "-CA", "\(directory)/ca.pem", "-CAkey",
            "\(directory)/ca.key", "-CAcreateserial", "-out", "\(directory)/server.pem", "-days", "2", "-extfile",
            "\(directory)/server.ext",
        ])
        return TestCertificates(
            caFile: "\(directory)/ca.pem", serverCertFile: "\(directory)/server.pem",
            serverKeyFile: "\(directory)/server.key", otherCAFile: "\(directory)/other-ca.pem")
    }
}
