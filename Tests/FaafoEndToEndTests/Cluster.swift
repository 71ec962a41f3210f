import FaafoClient
import FaafoWire
import Foundation
import FractalCore
import FractalJob
import Testing

/// A faafo deployment on this machine: one faafo-api on a free loopback port over an
/// SQLite file, and faafo-worker processes, all talking through the real broker.
final class Cluster: @unchecked Sendable {
    let folder: URL
    let virtualHost = "faafo-e2e-\(UUID().uuidString.prefix(8).lowercased())"
    let brokerURL: String
    let api: ServiceProcess
    let endpoint: String
    let client: FaafoAPIClient
    private(set) var workers: [ServiceProcess] = []

    init() async throws {
        try await Broker.requireRunning()
        brokerURL = try await Broker.makeVirtualHost(virtualHost)
        folder = FileManager.default.temporaryDirectory.appending(path: "faafo-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        api = try ServiceProcess(
            "faafo-api",
            [
                "--transport-url", brokerURL, "--database-url", "sqlite:///" + folder.appending(path: "faafo.db").path,
                "--listen-address", "127.0.0.1", "--bind-port", "0", "--workers", "0",
            ], name: "faafo-api")
        let line = try await api.waitForLog("listening on 127.0.0.1:")
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })
        endpoint = "http://127.0.0.1:\(port)"
        client = try FaafoAPIClient(endpointURL: endpoint)
    }

    @discardableResult
    func startWorker(name: String, concurrency: Int = 2) async throws -> ServiceProcess {
        let worker = try ServiceProcess(
            "faafo-worker",
            [
                "--transport-url", brokerURL, "--endpoint-url", endpoint, "--concurrency", "\(concurrency)",
                "--render-threads", "1", "--name", name, "--debug",
            ], name: name)
        try await worker.waitForLog("consuming")
        workers.append(worker)
        return worker
    }

    /// Waits until every uuid is completed (bounded); returns the stored objects.
    func waitForCompletion(_ uuids: [String], timeout: Duration = .seconds(120)) async throws -> [FractalObject] {
        let deadline = ContinuousClock.now + timeout
        var objects: [FractalObject] = []
        while ContinuousClock.now < deadline {
            objects = try await client.listAll()
            let completed = Set(objects.filter { $0.status == .completed }.map(\.uuid))
            if completed.isSuperset(of: uuids) { return objects }
            try await Task.sleep(for: .milliseconds(200))
        }
        let pending = Set(uuids).subtracting(objects.filter { $0.status == .completed }.map(\.uuid))
        throw ProcessFailure(
            "\(pending.count) task(s) not completed within \(timeout)\napi log:\n\(api.log.suffix(3000))\n"
                + workers.map { "\($0.name) log:\n\($0.log.suffix(2000))" }.joined(separator: "\n"))
    }

    func stop() async {
        for worker in workers { await worker.stop() }
        await api.stop()
        try? await client.shutdown()
        try? FileManager.default.removeItem(at: folder)
        await Broker.deleteVirtualHost(virtualHost)
    }
}

/// What the render core says a fractal's checksums must be, computed here, apart from
/// any worker.
func expectedChecksums(_ object: FractalObject) throws -> (checksum: String, pixelChecksum: String) {
    let parameters = try FractalRequest(
        width: object.width, height: object.height, iterations: object.iterations,
        xa: object.xa, xb: object.xb, ya: object.ya, yb: object.yb, seed: object.seed
    ).validated()
    let rendered = try RenderJob.run(parameters, threads: 1)
    return (rendered.checksum, rendered.pixelChecksum)
}

/// Tasks that take a worker some milliseconds each, so that killing one mid-batch finds
/// it holding tasks.
func batch(_ count: Int, iterations: Int = 600) -> [CreateFractal] {
    (0..<count).map { i in
        CreateFractal(
            width: 160 + i % 7, height: 120 + i % 5, iterations: iterations,
            xa: -1.6, xb: 1.6, ya: -1.2, yb: 1.2, seed: UInt64(1000 + i))
    }
}
