import AMQPWorkQueue
import FaafoConfig
import FractalCore
import FractalStore
import Logging
import WorkQueue

/// Builds the store and the queue a configuration names: the one place where a backend
/// is chosen.
public enum FaafoSystem {
    public static func makeStore(_ configuration: FaafoConfiguration) throws -> any FractalStore {
        let images: SQLiteFractalStore.ImageStore =
            switch configuration.imageStore {
            case .database: .database
            case .directory(let path): .directory(path: path)
            }
        return try SQLiteFractalStore(databaseURL: configuration.databaseURL, imageStore: images)
    }

    public static func makeQueue(_ configuration: FaafoConfiguration, logger: Logger) async throws -> any WorkQueue {
        if configuration.usesInMemoryQueue { return InMemoryWorkQueue() }
        return try await AMQPWorkQueue(url: configuration.transportURL, logger: logger)
    }

    public static func limits(_ configuration: FaafoConfiguration) -> RenderLimits {
        RenderLimits(workBudget: configuration.workBudget ?? RenderLimits.defaultWorkBudget)
    }
}
