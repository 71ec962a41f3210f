import AMQPWorkQueue
import FaafoConfig
import FractalCore
import FractalStore
import Logging
import SQLiteFractalStore
import WorkQueue

/// Builds the store and the queue a configuration names: the one place where a backend
/// is chosen.
public enum FaafoSystem {
    /// The store `database_url` names: SQLite (a file, or SQLite's private in-memory
    /// database), or the in-process store for `memory://`. PostgreSQL URLs are read
    /// but not served by this build: that is an error that says so.
    public static func makeStore(_ configuration: FaafoConfiguration) throws -> any FractalStore {
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
        case .postgres:
            throw StoreError(
                "database_url names PostgreSQL (\(try configuration.database)), which this build cannot use yet: "
                    + "use sqlite:////absolute/path.db, sqlite:///relative.db or memory://")
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
