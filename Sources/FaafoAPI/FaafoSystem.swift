import AMQPWorkQueue
import FaafoConfig
import FaafoServiceKit
import FractalCore
import FractalStore
import Logging
import PostgresFractalStore
import SQLiteFractalStore
import OpenStackSwiftObjects
import WorkQueue

/// Builds the store and the queue a configuration names: the one place where a backend
/// is chosen.
public enum FaafoSystem {
    /// The store `database_url` names: SQLite (a file, or SQLite's private in-memory
    /// database), PostgreSQL (a database several APIs share; its schema brought up to date
    /// here), or the in-process store for `memory://`. A server that cannot be reached, a
    /// wrong password or a missing database fails here with an error naming `database_url`.
    ///
    /// With `image_store = swift://CONTAINER` the images go to OpenStack Swift
    /// (`ObjectImageFractalStore` over a store that keeps none): authenticated and the
    /// container created here, each failure naming the option at fault. Call `shutdown` on
    /// the store once done.
    public static func makeStore(
        _ configuration: FaafoConfiguration, logger: Logger = Logger(label: "faafo.store")
    ) async throws -> any FractalStore {
        let records: any FractalStore
        switch try configuration.database {
        case .sqlite(let path):
            let images: SQLiteFractalStore.ImageStore =
                switch configuration.imageStore {
                case .database: .database
                case .directory(let path): .directory(path: path)
                case .swift: .outside
                }
            records = try SQLiteFractalStore(.file(path: path), imageStore: images)
        case .memory:
            records = MemoryFractalStore()
        case .postgres(let url):
            if case .directory = configuration.imageStore {
                // A folder of one host is no place for the images of APIs on many.
                throw StoreError(
                    "image_store = \(configuration.imageStore) cannot be used with a PostgreSQL database_url: "
                        + "keep the images in the database (image_store = database) or in Swift (swift://CONTAINER)")
            }
            records = try await postgresStore(url, configuration, logger: logger)
        }
        guard case .swift(let container) = configuration.imageStore else { return records }
        let objects = try await OpenStackSwiftObjects(
            authURL: configuration.swiftAuthURL ?? "", user: configuration.swiftUser ?? "",
            key: configuration.swiftKey ?? "", container: container, logger: logger)
        logger.info("images in \(objects)")
        return ObjectImageFractalStore(records: records, objects: objects)
    }

    private static func postgresStore(
        _ url: String, _ configuration: FaafoConfiguration, logger: Logger
    ) async throws -> PostgresFractalStore {
        let parts: PostgresURL
        switch PostgresURL.parse(url) {
        case .success(let parsed): parts = parsed
        case .failure(let error):
            throw StoreError("database_url '\(Redaction.redactingPassword(url))' is not usable: \(error)")
        }
        let endpoint = PostgresEndpoint(
            host: parts.host, port: parts.port, username: parts.user, password: parts.password,
            database: parts.database, tls: PostgresEndpoint.TLSMode(rawValue: parts.sslMode) ?? .prefer)
        var keepsImages = true
        if case .swift = configuration.imageStore { keepsImages = false }
        do {
            return try await PostgresFractalStore(
                endpoint, poolSize: configuration.databasePoolSize, keepsImages: keepsImages, logger: logger)
        } catch let error as StoreError {
            throw StoreError("database_url '\(Redaction.redactingPassword(url))': \(error.message)")
        }
    }

    public static func makeQueue(_ configuration: FaafoConfiguration, logger: Logger) async throws -> any WorkQueue {
        if configuration.usesInMemoryQueue { return InMemoryWorkQueue() }
        return try await AMQPWorkQueue(
            url: configuration.transportURL, options: AMQPWorkQueue.Options(configuration, connectionName: "faafo-api"),
            logger: logger)
    }

    public static func limits(_ configuration: FaafoConfiguration) -> RenderLimits {
        RenderLimits(workBudget: configuration.workBudget ?? RenderLimits.defaultWorkBudget)
    }
}
