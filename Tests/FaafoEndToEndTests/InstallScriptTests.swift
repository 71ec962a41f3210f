import AMQPWorkQueue
import FaafoClient
import FaafoCluster
import FaafoTestKit
import Foundation
import Testing

/// scripts/install.sh, the tutorial's installer, with this build's executables: `-r api
/// -r worker -r demo` starts a working system and runs a demo batch through it.
@Suite(.tags(.endToEnd), .timeLimit(.minutes(5)))
struct InstallScriptTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "scripts/install.sh")

    /// Runs the script through env(1) with the variables that keep it inside `folder`.
    static func install(
        _ arguments: [String], folder: URL, environment extra: [String] = []
    ) async throws -> (status: Int32, output: String) {
        let environment =
            [
                "FAAFO_BIN_DIR=\(try LocalCluster.executablesFolder().path)", "FAAFO_RUN_DIR=\(folder.path)",
                "FAAFO_SERVICE_MANAGER=background", "FAAFO_LISTEN_ADDRESS=127.0.0.1", "FAAFO_DEMO_TASKS=6",
            ] + extra
        return try await runCommand(
            URL(fileURLWithPath: "/usr/bin/env"), environment + [script.path] + arguments, timeout: .seconds(240))
    }

    @Test(.tags(.rabbitMQ), .needs(.rabbitMQ)) func apiWorkerAndDemoMakeAWorkingSystem() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "faafo-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let broker = RabbitMQ()
        let virtualHost = "faafo-install-\(UUID().uuidString.prefix(8).lowercased())"
        let transport = try await broker.makeVirtualHost(virtualHost)
        let port = try freeLoopbackPort()
        defer { try? FileManager.default.removeItem(at: folder) }

        let arguments = [
            "-r", "api", "-r", "worker", "-r", "demo", "-e", "http://127.0.0.1:\(port)", "-m", transport,
            // A folder that does not exist yet: -r api makes it.
            "-d", "sqlite:///" + folder.appending(path: "data/faafo.db").path,
        ]
        let environment = ["FAAFO_CONFIG_DIR=\(folder.path)"]
        // Whatever happens to the run, -k stops the services it started.
        let run = await Result(catching: {
            let run = try await Self.install(arguments, folder: folder, environment: environment)
            return (run, try await Self.expectWritesNeedTheTokens(endpoint: "http://127.0.0.1:\(port)", folder: folder))
        })
        let stop = try await Self.install(["-k"], folder: folder, environment: environment)
        await broker.deleteVirtualHost(virtualHost)
        let ((status, output), tokens) = try run.get()

        #expect(status == 0, "\(output)")
        #expect(output.contains("faafo-api started"))
        #expect(output.contains("faafo-worker started"))
        // The worker read its token from faafo.conf: every result was taken.
        #expect(output.contains("6 submitted, 6 completed, 0 failed, 0 timed out"), "\(output)")
        #expect(output.contains("worker hosts pass -t \(tokens.worker)\n"), "\(output)")
        #expect(!output.contains(tokens.operator), "the operator token is never shown")
        for log in ["faafo-api.log", "faafo-worker.log"] {
            let text = try String(contentsOf: folder.appending(path: log), encoding: .utf8)
            #expect(!text.contains(tokens.worker) && !text.contains(tokens.operator), "\(log) shows a token")
        }
        #expect(stop.status == 0)
        #expect(stop.output.contains("faafo-api stopped") && stop.output.contains("faafo-worker stopped"))
        #expect(!FileManager.default.fileExists(atPath: folder.appending(path: "faafo-api.pid").path))
        #expect(FileManager.default.fileExists(atPath: folder.appending(path: "data/faafo.db").path))
    }

    /// The tokens `-r api` made and kept in faafo.conf, checked on the running API: a
    /// DELETE without the operator token is refused and deletes nothing; with it, it deletes.
    static func expectWritesNeedTheTokens(endpoint: String, folder: URL) async throws
        -> (worker: String, operator: String)
    {
        let conf = try String(contentsOf: folder.appending(path: "faafo.conf"), encoding: .utf8)
        func token(_ key: String) throws -> String {
            let line = try #require(conf.split(separator: "\n").last { $0.hasPrefix("\(key) = ") }, "\(key) in \(conf)")
            return String(line.dropFirst(key.count + 3))
        }
        let tokens = (worker: try token("worker_token"), operator: try token("operator_token"))
        #expect(tokens.worker.count >= 32 && tokens.operator.count >= 32 && tokens.worker != tokens.operator)

        let anonymous = try FaafoAPIClient(endpointURL: endpoint, retryingConnections: false)
        let operatorClient = try FaafoAPIClient(
            endpointURL: endpoint, retryingConnections: false, credentials: .init(operator: tokens.operator))
        let outcome = await Result {
            let fractal = try #require(try await anonymous.list().objects.first)
            await #expect(throws: FaafoClientError.self) { try await anonymous.delete(fractal.uuid) }
            #expect(try await anonymous.get(fractal.uuid).uuid == fractal.uuid, "a refused DELETE deletes nothing")
            try await operatorClient.delete(fractal.uuid)
            await #expect(throws: FaafoClientError.self) { try await anonymous.get(fractal.uuid) }
        }
        try await anonymous.shutdown()
        try await operatorClient.shutdown()
        try outcome.get()
        return tokens
    }

    /// -i messaging gives faafo a broker user of its own (never guest, which RabbitMQ
    /// refuses from other hosts), keeps its password in faafo.conf, prints the URL other
    /// hosts pass with -m, and reuses the password when it runs again.
    @Test(.tags(.rabbitMQ), .needs(.rabbitMQ)) func messagingMakesABrokerUserOfItsOwnAndKeepsIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "faafo-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let user = "faafo-test-\(UUID().uuidString.prefix(8).lowercased())"
        let environment = [
            "FAAFO_CONFIG_DIR=\(folder.path)", "FAAFO_BROKER_USER=\(user)", "FAAFO_ADVERTISED_HOST=127.0.0.1",
        ]
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = await Result { try await Self.install(["-i", "messaging"], folder: folder, environment: environment) }
        let again = await Result { try await Self.install(["-i", "messaging"], folder: folder, environment: environment) }
        let conf = (try? String(contentsOf: folder.appending(path: "faafo.conf"), encoding: .utf8)) ?? ""
        try await withCleanup({
            _ = try? await runCommand(URL(fileURLWithPath: "/usr/sbin/rabbitmqctl"), ["-q", "delete_user", user])
        }) {
            try await Self.expectABrokerUser(user, first: first, again: again, conf: conf)
        }
    }

    static func expectABrokerUser(
        _ user: String, first: Result<(status: Int32, output: String), any Error>,
        again: Result<(status: Int32, output: String), any Error>, conf: String
    ) async throws {
        let (status, output) = try first.get()
        #expect(status == 0, "\(output)")
        let advertised = try #require(
            output.split(separator: "\n").first { $0.contains("other hosts pass -m") }?.split(separator: " ").last,
            "\(output)")
        #expect(advertised.hasPrefix("amqp://\(user):") && advertised.hasSuffix("@127.0.0.1:5672/"))
        let password = advertised.dropFirst("amqp://\(user):".count).prefix { $0 != "@" }
        #expect(password.count >= 20 && password != "guest")
        #expect(conf.contains("transport_url = amqp://\(user):\(password)@localhost:5672/"), "\(conf)")
        #expect(!output.contains("guest"))
        // The user logs in, with the password the URL carries.
        let queue = try await AMQPWorkQueue(url: String(advertised), options: .init(names: .suffixed(user)))
        try await queue.deleteTopology()
        await queue.shutdown()
        // Run again, it keeps the password: hosts given the URL go on working.
        let (againStatus, againOutput) = try again.get()
        #expect(againStatus == 0, "\(againOutput)")
        #expect(againOutput.contains(String(advertised)), "\(againOutput)")
    }

    /// -i database with a postgresql:// -d makes a cluster listen on the URL's port for
    /// every host, creates the role (with a generated password, kept in faafo.conf) and
    /// the database, prints the URL the API hosts pass with -d, and keeps the password
    /// when it runs again.
    @Test(.needs(.root, .postgreSQLPrograms)) func databaseMakesAPostgreSQLRoleAndDatabaseAndKeepsThem() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "faafo-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let port = try freeLoopbackPort()
        let name = "faafo_it_\(UUID().uuidString.prefix(8).lowercased())"
        let arguments = ["-i", "database", "-d", "postgresql://\(name)@localhost:\(port)/\(name)"]
        let environment = ["FAAFO_CONFIG_DIR=\(folder.path)", "FAAFO_ADVERTISED_HOST=127.0.0.1"]
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withCleanup({
            // The cluster the script made for this port, with everything in it.
            _ = try? await runCommand(
                URL(fileURLWithPath: "/usr/bin/pg_dropcluster"), ["--stop", "15", "faafo-\(port)"], timeout: .seconds(60))
        }) {
            let (status, output) = try await Self.install(arguments, folder: folder, environment: environment)
            #expect(status == 0, "\(output)")
            #expect(output.contains("created PostgreSQL cluster 15/faafo-\(port) on port \(port)"), "\(output)")
            let advertised = try #require(
                output.split(separator: "\n").first { $0.contains("API hosts pass -d") }?.split(separator: " ").last,
                "\(output)")
            #expect(advertised.hasPrefix("postgresql://\(name):") && advertised.hasSuffix("@127.0.0.1:\(port)/\(name)"))
            let password = advertised.dropFirst("postgresql://\(name):".count).prefix { $0 != "@" }
            #expect(password.count >= 20)
            let conf = try String(contentsOf: folder.appending(path: "faafo.conf"), encoding: .utf8)
            #expect(conf.contains("database_url = postgresql://\(name):\(password)@localhost:\(port)/\(name)"), "\(conf)")

            // The role logs in over TCP with that password, owns its database, and the
            // server listens for other hosts too.
            let login = try await runCommand(
                URL(fileURLWithPath: "/usr/bin/psql"),
                [String(advertised), "-X", "-Atc", "SELECT current_user, current_database(); SHOW listen_addresses"])
            #expect(login.status == 0 && login.output == "\(name)|\(name)\n*\n", "\(login.output)")

            let (againStatus, againOutput) = try await Self.install(arguments, folder: folder, environment: environment)
            #expect(againStatus == 0, "\(againOutput)")
            #expect(againOutput.contains(String(advertised)), "the password is kept: \(againOutput)")
            #expect(!againOutput.contains("created PostgreSQL cluster"))
        }
    }

    @Test func badOptionsAreNamed() async throws {
        let folder = FileManager.default.temporaryDirectory
        let role = try await Self.install(["-r", "database"], folder: folder)
        #expect(role.status == 2)
        #expect(role.output.contains("-r takes api, worker or demo, not 'database'"))
        let endpoint = try await Self.install(["-r", "demo", "-e", "localhost:8080"], folder: folder)
        #expect(endpoint.status == 2)
        #expect(endpoint.output.contains("-e must be http://HOST[:PORT], not 'localhost:8080'"))
        let database = try await Self.install(["-i", "database", "-d", "postgresql://fa-afo@db/faafo"], folder: folder)
        #expect(database.status == 2)
        #expect(database.output.contains("-d must be postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"), "\(database.output)")
        let scheme = try await Self.install(["-r", "api", "-d", "mysql://db/faafo"], folder: folder)
        #expect(scheme.status == 2)
        #expect(scheme.output.contains("-d must be a sqlite:/// or postgresql:// URL, not 'mysql://db/faafo'"))
        let token = try await Self.install(["-r", "worker", "-t", "short"], folder: folder)
        #expect(token.status == 2)
        #expect(token.output.contains("-t must be the worker token the API host printed"), "\(token.output)")
        let nothing = try await Self.install([], folder: folder)
        #expect(nothing.status == 2)
        #expect(nothing.output.contains("nothing to do"))
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on now.
func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw ClusterError("socket() failed: errno \(errno)") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
        }
    }
    guard bound else { throw ClusterError("cannot bind a loopback port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
