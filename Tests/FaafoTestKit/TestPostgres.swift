import FaafoConfig
import Foundation
import Logging
import PostgresFractalStore
import PostgresNIO
import Testing

/// The PostgreSQL server the tests use: `FAAFO_TEST_POSTGRES_URL`, by default the cluster
/// `scripts/start-postgres` runs on 127.0.0.1:55432. Each test gets a database of its own
/// on it, dropped afterwards. A test that uses it says so with `.needs(.postgreSQL)`, which
/// skips it when the server does not answer; without that, a server that is not running
/// fails the test, with how to start it.
public enum TestPostgres {
    public static let defaultURL = "postgresql://faafo:faafo@127.0.0.1:55432/faafo"
    public static let variable = "FAAFO_TEST_POSTGRES_URL"

    public static var url: String { ProcessInfo.processInfo.environment[variable] ?? defaultURL }

    /// The operation timeout of the stores a test makes, unless the timeout is what it tests.
    /// The product's 10 s is ample alone, but a full parallel run on two cores (hundreds of
    /// tests, dozens of databases made at once, tests that hold the cooperative pool's two
    /// threads) once kept a transaction from its next query for over 10 s.
    public static let operationTimeout = Duration.seconds(60)

    /// A store on `endpoint` with `operationTimeout`, for the tests that do not test the timeout.
    public static func store(_ endpoint: PostgresEndpoint, poolSize: Int, keepsImages: Bool = true) async throws
        -> PostgresFractalStore
    {
        try await PostgresFractalStore(
            endpoint, poolSize: poolSize, operationTimeout: operationTimeout, keepsImages: keepsImages)
    }

    /// The server's administrative database (where the test databases are created from).
    public static func endpoint(_ url: String = url, database: String? = nil) throws -> PostgresEndpoint {
        let parts = try PostgresURL.parse(url).get()
        return PostgresEndpoint(
            host: parts.host, port: parts.port, username: parts.user, password: parts.password,
            database: database ?? parts.database, tls: .disable)
    }

    /// Runs `body` with a new empty database on the server at `url`, then drops it.
    public static func withDatabase<T>(
        on url: String = url, _ body: (PostgresEndpoint) async throws -> T
    ) async throws -> T {
        let admin = try endpoint(url)
        let name = "faafo_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await execute("CREATE DATABASE \(name)", on: admin)
        do {
            let value = try await body(try endpoint(url, database: name))
            await drop(name, on: admin)
            return value
        } catch {
            await drop(name, on: admin)
            throw error
        }
    }

    /// Drops a test's database, trying again for a few seconds: FORCE may not end every
    /// session on it (in one CI run the server refused, "must be a member of the role whose
    /// process is being terminated", for a session of another role, such as an autovacuum
    /// worker). The test's own result stands either way; a database left over goes with the
    /// throwaway cluster.
    public static func drop(_ name: String, on admin: PostgresEndpoint) async {
        for attempt in 1...5 {
            do {
                try await execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: admin)
                return
            } catch {
                if attempt == 5 {
                    print("TestPostgres: could not drop \(name): \(String(reflecting: error))")
                    return
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Runs one statement on its own connection; a server that does not answer is an
    /// error that says how to start one.
    public static func execute(_ sql: String, on endpoint: PostgresEndpoint) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: PostgresConnection.Configuration(
                    host: endpoint.host, port: endpoint.port, username: endpoint.username, password: endpoint.password,
                    database: endpoint.database, tls: .disable),
                id: 1, logger: Logger(label: "faafo.test.postgres"))
        } catch {
            Issue.record(
                """
                no PostgreSQL test server at \(endpoint) (\(variable) or its default \(defaultURL)): \
                start one with `eval "$(scripts/start-postgres)"`; \(String(reflecting: error))
                """)
            throw error
        }
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "faafo.test.postgres"))
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// The first column of the first row `sql` answers, as an Int.
    public static func count(_ sql: String, on endpoint: PostgresEndpoint) async throws -> Int {
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: endpoint.host, port: endpoint.port, username: endpoint.username, password: endpoint.password,
                database: endpoint.database, tls: .disable),
            id: 2, logger: Logger(label: "faafo.test.postgres"))
        defer { Task { try? await connection.close() } }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "faafo.test.postgres"))
        for try await row in rows { return try row.decode(Int.self) }
        return 0
    }
}
