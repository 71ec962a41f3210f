import AMQPWorkQueue
import FaafoConfig
import FractalCore
import FractalStore
import Logging
import PostgresFractalStore
import SQLiteFractalStore
import WorkQueue

/// Builds the store and the queue a configuration names: the one place where a backend
/// is chosen.
public enum FaafoSystem {
    /// The store `database_url` names: SQLite (a file, or SQLite's private in-memory
    /// database), PostgreSQL (a database several APIs share; its schema brought up to date
    /// here), or the in-process store for `memory://`. A server that cannot be reached, a
    /// wrong password or a missing database fails here with an error naming `database_url`.
    public static func makeStore(
        _ configuration: FaafoConfiguration, logger: Logger = Logger(label: "faafo.store")
    ) async throws -> any FractalStore {
        let images: SQLiteFractalStore.ImageStore =
            switch configuration.imageStore {
            case .database: .database
            case .directory(let path): .directory(path: path)
            }
        switch try configuration.database {
        case .sqlite(let path):
            return try SQLiteFractalStore(.file(path: path), imageStore: images)
        case .memory:
            return MemoryFractalStore()
        case .postgres(let url):
            guard case .database = configuration.imageStore else {
                // A folder of one host is no place for the images of APIs on many.
                throw StoreError(
                    "image_store = \(configuration.imageStore) cannot be used with a PostgreSQL database_url: "
                        + "images are kept in the database (image_store = database)")
            }
            let parts: PostgresURL
            switch PostgresURL.parse(url) {
            case .success(let parsed): parts = parsed
            case .failure(let error):
                throw StoreError("database_url '\(Redaction.redactingPassword(url))' is not usable: \(error)")
            }
            let endpoint = PostgresEndpoint(
                host: parts.host, port: parts.port, username: parts.user, password: parts.password,
                database: parts.database, tls: PostgresEndpoint.TLSMode(rawValue: parts.sslMode) ?? .prefer)
            do {
                return try await PostgresFractalStore(
                    endpoint, poolSize: configuration.databasePoolSize, logger: logger)
            } catch let error as StoreError {
                throw StoreError("database_url '\(Redaction.redactingPassword(url))': \(error.message)")
            }
        }
    }

    public static func makeQueue(_ configuration: FaafoConfiguration, logger: Logger) async throws -> any WorkQueue {
        if configuration.usesInMemoryQueue { return InMemoryWorkQueue() }
        return try await AMQPWorkQueue(url: configuration.transportURL, logger: logger)
    }

    public static func limits(_ configuration: FaafoConfiguration) -> RenderLimits {
        RenderLimits(workBudget: configuration.workBudget ?? RenderLimits.defaultWorkBudget)
    }
}
