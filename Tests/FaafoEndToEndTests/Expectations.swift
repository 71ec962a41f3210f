import FaafoCluster
import FaafoWire
import Foundation
import FractalCore
import FractalJob
import Testing

/// Runs `body` with a cluster of this build's faafo-api and faafo-worker on the local
/// RabbitMQ (by default one API over SQLite), and stops the cluster afterwards, whatever
/// happened.
func withCluster(
    _ options: LocalCluster.Options? = nil, _ body: (LocalCluster) async throws -> Void
) async throws {
    let cluster = try await LocalCluster(try options ?? .init(executables: try LocalCluster.executablesFolder()))
    try await withCleanup({ await cluster.stop() }) { try await body(cluster) }
}

extension LocalCluster {
    /// Creates the tasks through the API, one after another; returns their uuids.
    func create(_ tasks: [CreateFractal]) async throws -> [String] {
        var uuids: [String] = []
        for task in tasks { uuids.append(try await client.create(task).uuid) }
        return uuids
    }

    /// Waits for every task, then checks that each was stored once, none other was, and
    /// each has the checksums the render core gives for it. Returns the stored objects.
    @discardableResult
    func expectAllCompletedOnce(_ uuids: [String], timeout: Duration = .seconds(120)) async throws -> [FractalObject] {
        let objects = try await waitForCompletion(uuids, timeout: timeout)
        #expect(objects.count == uuids.count, "nothing stored twice, nothing extra")
        #expect(Set(objects.map(\.uuid)) == Set(uuids))
        for object in objects {
            let expected = try expectedChecksums(object)
            #expect(object.checksum == expected.checksum, "\(object.uuid)")
            #expect(object.pixelChecksum == expected.pixelChecksum, "\(object.uuid)")
        }
        return objects
    }
}

/// What the render core says a fractal's checksums must be, computed here, apart from
/// any worker.
func expectedChecksums(_ object: FractalObject) throws -> (checksum: String, pixelChecksum: String) {
    let parameters = try object.fractal.validated()
    let rendered = try RenderJob.run(parameters, threads: 1)
    return (rendered.checksum, rendered.pixelChecksum)
}

/// Tasks that take a worker some milliseconds each, so that killing one mid-batch finds
/// it holding tasks.
func batch(_ count: Int, iterations: Int = 600) -> [CreateFractal] {
    (0..<count).map { i in
        CreateFractal(
            fractal: FractalRequest(
                width: 160 + i % 7, height: 120 + i % 5, iterations: iterations, xa: -1.6, xb: 1.6, ya: -1.2, yb: 1.2,
                seed: UInt64(1000 + i)))
    }
}

extension [CreateFractal] {
    /// The tasks, each with a fresh uuid of its own, as a `ClusterPlan` wants them.
    func withUUIDs() -> [CreateFractal] {
        map { task in
            var task = task
            task.uuid = UUID().uuidString.lowercased()
            return task
        }
    }
}
