import FaafoAPI
import FaafoClient
import FaafoLoad
import FaafoWire
import Foundation
import FractalCore
import Logging

/// `faafo-api --demo N`: starts the system on a free loopback port, runs N fractals
/// through the HTTP API with `faafo demo`'s engine (FaafoLoad), checks each stored
/// checksum against a render of its own, and reports.
struct DemoBatch {
    let count: Int

    /// Runs `api` on a free loopback port and the batch through it; its store and queue
    /// are closed when the demo ends.
    func run(_ api: APIProcess, logger: Logger) async throws -> LoadReport {
        // The demo is the API's own client: it sends the tokens the API asks for.
        let credentials = FaafoAPIClient.Credentials(
            operator: api.options.credentials.operator, create: api.options.credentials.create)
        return try await api.servingOnLoopback(logger: logger) { endpoint in
            try await drive(endpoint: endpoint, credentials: credentials)
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
