import FaafoAPI
import FaafoClient
import FaafoWire
import Foundation
import FractalCore
import FractalJob
import Hummingbird
import Logging
import ServiceLifecycle

/// `faafo-api --demo N`: starts the system on a free loopback port, creates N fractals
/// through the HTTP API as a client would, waits until every one is stored, checks each
/// stored checksum against a render of its own, and reports.
struct DemoBatch {
    let count: Int

    struct Summary: CustomStringConvertible {
        var tasks: Int
        var completed: Int
        var verified: Int
        var seconds: Double
        var workers: [String: Int]
        var allVerified: Bool { verified == tasks }

        var description: String {
            let rate = seconds > 0 ? Double(completed) / seconds : 0
            let byWorker = workers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            return """
                demo: \(completed) of \(tasks) fractals completed in \(String(format: "%.2f", seconds)) s \
                (\(String(format: "%.1f", rate)) a second); \(verified) checksums verified against the render core
                demo: by worker: \(byWorker)
                """
        }
    }

    func run(service: FractalService, options: APIOptions, logger: Logger) async throws -> Summary {
        var options = options
        options.listenAddress = "127.0.0.1"
        options.bindPort = 0
        let port = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(service: service, options: options, logger: logger) { bound in
            port.continuation.yield(bound)
            port.continuation.finish()
        }
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Summary?.self) { group in
            group.addTask {
                try await services.run()
                return nil
            }
            var iterator = port.stream.makeAsyncIterator()
            guard let bound = await iterator.next() else { throw DemoError("the server did not start") }
            let summary = try await drive(endpoint: "http://127.0.0.1:\(bound)")
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return summary
        }
    }

    func drive(endpoint: String) async throws -> Summary {
        let client = try FaafoAPIClient(endpointURL: endpoint)
        defer { Task { try? await client.shutdown() } }
        let started = ContinuousClock.now
        var uuids: [String] = []
        for index in 0..<count {
            let task = CreateFractal(
                width: 256 + 32 * (index % 8), height: 192 + 24 * (index % 5), iterations: 128 + 16 * (index % 9),
                xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: UInt64(index + 1))
            uuids.append(try await client.create(task).uuid)
        }
        var objects: [FractalObject] = []
        let deadline = ContinuousClock.now + .seconds(60 + count)
        while ContinuousClock.now < deadline {
            objects = try await uuids.asyncMap { try await client.get($0) }
            if objects.allSatisfy({ $0.status == .completed }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let seconds = (ContinuousClock.now - started).seconds
        var summary = Summary(tasks: count, completed: 0, verified: 0, seconds: seconds, workers: [:])
        for object in objects where object.status == .completed {
            summary.completed += 1
            summary.workers[object.generatedBy ?? "?", default: 0] += 1
            let expected = try RenderJob.run(
                try FractalRequest(
                    width: object.width, height: object.height, iterations: object.iterations,
                    xa: object.xa, xb: object.xb, ya: object.ya, yb: object.yb, seed: object.seed
                ).validated(), threads: 1)
            if expected.checksum == object.checksum && expected.pixelChecksum == object.pixelChecksum {
                summary.verified += 1
            }
        }
        return summary
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
