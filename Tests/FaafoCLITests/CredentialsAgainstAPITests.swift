import FaafoCluster
import Foundation
import Testing

/// `faafo create` and `faafo delete` against a real `faafo-api` that asks tokens of them.
@Suite struct CredentialsAgainstAPITests {
    static let tokens = [
        "--worker-token", "worker-secret", "--operator-token", "operator-secret", "--create-token", "create-secret",
    ]
    static let small = ClientCommandsAgainstAPITests.small

    @Test func createAndDeleteSendTheirTokensFromFlagOrEnvironment() async throws {
        try await ClientCommandsAgainstAPITests.withAPI(Self.tokens) { api, client in
            func faafo(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandOutput {
                try await FaafoProcess.run(
                    ["--endpoint-url", api.endpoint, "--config-file", api.emptyConfig] + arguments,
                    environment: environment)
            }
            let refused = try await faafo(["create"] + Self.small)
            #expect(refused.status == 1 && refused.stdout.isEmpty, "\(refused.stderr)")
            #expect(refused.stderr.hasPrefix("faafo: error: 401 ") && refused.stderr.contains("create_token"), "\(refused.stderr)")
            #expect(try await client.list().objects.isEmpty)

            let byEnvironment = try await faafo(["create"] + Self.small, environment: ["FAAFO_CREATE_TOKEN": "create-secret"])
            #expect(byEnvironment.status == 0, "\(byEnvironment.stderr)")
            let byOperator = try await faafo(["--operator-token", "operator-secret", "create"] + Self.small)
            #expect(byOperator.status == 0, "\(byOperator.stderr)")
            let uuids = byEnvironment.lines + byOperator.lines
            #expect(uuids.count == 2)
            // The in-process worker delivers through the service: it needs no token.
            for uuid in uuids { _ = try await ClientCommandsAgainstAPITests.completed(uuid, client) }

            let uuid = try #require(uuids.first)
            for (arguments, environment) in [
                (["delete", uuid], [:]), (["--operator-token", "wrong-token", "delete", uuid], [:]),
                (["delete", uuid], ["FAAFO_CREATE_TOKEN": "create-secret"]),
            ] as [([String], [String: String])] {
                let denied = try await faafo(arguments, environment: environment)
                #expect(denied.status == 1 && denied.stdout.isEmpty, "\(arguments): \(denied.stderr)")
                #expect(denied.stderr.hasPrefix("faafo: error: 401 ") && denied.stderr.contains("operator_token"), "\(denied.stderr)")
                #expect(!denied.stderr.contains("secret") && !denied.stderr.contains("wrong-token"), "\(denied.stderr)")
            }
            #expect(try await client.get(uuid).uuid == uuid, "still stored")

            let deleted = try await faafo(["--operator-token", "operator-secret", "delete", uuid])
            #expect(deleted.status == 0 && deleted.text == "deleted \(uuid)\n", "\(deleted.stderr)")
            let other = uuids[1]
            let deletedByEnvironment = try await faafo(
                ["delete", other], environment: ["FAAFO_OPERATOR_TOKEN": "operator-secret"])
            #expect(deletedByEnvironment.status == 0, "\(deletedByEnvironment.stderr)")
            #expect(try await client.list().objects.isEmpty)

            // Reads need nothing, and a --debug run shows that tokens are set, never what they are.
            let debug = try await faafo(["--debug", "--operator-token", "operator-secret", "list"])
            #expect(debug.status == 0, "\(debug.stderr)")
            #expect(debug.stderr.contains("operator_token = ***") && !debug.stderr.contains("operator-secret"))
            #expect(!api.logText.contains("-secret"), "the API never logs its tokens")
        }
    }

    @Test func anAPIOnANonLoopbackAddressWithoutWorkerTokenWarns() async throws {
        try await ClientCommandsAgainstAPITests.withAPI(["--listen-address", "0.0.0.0"]) { api, _ in
            #expect(api.logText.contains("WARNING") || api.logText.lowercased().contains("warning"))
            #expect(api.logText.contains("no worker_token on 0.0.0.0"), "\(api.logText)")
        }
        try await ClientCommandsAgainstAPITests.withAPI(["--operator-token", "operator-secret"]) { api, _ in
            #expect(!api.logText.contains("no worker_token"), "loopback: no warning")
        }
    }
}
