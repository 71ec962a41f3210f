import FaafoAPI
import FaafoClient
import FaafoController
import FaafoLoad
import FaafoWire
import Foundation
import FractalCore
import Hummingbird
import Logging
import ServiceLifecycle

/// `faafo-api --demo N`: starts the system on a free loopback port, runs N fractals
/// through the HTTP API with `faafo demo`'s engine (FaafoLoad), checks each stored
/// checksum against a render of its own, and reports.
struct DemoBatch {
    let count: Int

    func run(service: FractalService, options: APIOptions, logger: Logger) async throws -> LoadReport {
        var options = options
        options.listenAddress = "127.0.0.1"
        options.bindPort = 0
        let port = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(service: service, options: options, logger: logger) { bound in
            port.continuation.yield(bound)
            port.continuation.finish()
        }
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: LoadReport?.self) { group in
            group.addTask {
                try await services.run()
                return nil
            }
            var iterator = port.stream.makeAsyncIterator()
            guard let bound = await iterator.next() else { throw DemoError("the server did not start") }
            // The demo is the API's own client: it sends the tokens the API asks for.
            let credentials = FaafoAPIClient.Credentials(
                operator: options.credentials.operator, create: options.credentials.create)
            let report = try await drive(endpoint: "http://127.0.0.1:\(bound)", credentials: credentials)
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return report
        }
    }

    /// Creates the batch through the API with `faafo demo`'s engine, 8 tasks in the
    /// system at once, and checks every stored checksum against the render core.
    func drive(endpoint: String, credentials: FaafoAPIClient.Credentials) async throws -> LoadReport {
        let plan = LoadPlan(
            tasks: count, pacing: .closedLoop(concurrency: 8), timeout: .seconds(60 + count), verification: .all)
        let client = try FaafoAPIClient(
            endpointURL: endpoint, retryingConnections: false, connections: plan.connections, credentials: credentials)
        let test = LoadTest(plan: plan, makeTask: Self.task)
        let (_, report) = await test.measure(client: client)
        try? await client.shutdown()
        return report
    }

    /// The `index`-th task of the batch: a spread of small sizes, the whole plane, c from
    /// the seed `index + 1`.
    @Sendable static func task(_ index: Int) -> CreateFractal {
        CreateFractal(
            fractal: FractalRequest(
                width: 256 + 32 * (index % 8), height: 192 + 24 * (index % 5), iterations: 128 + 16 * (index % 9),
                xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: UInt64(index + 1)))
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
