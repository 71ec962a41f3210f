import FaafoAPI
import FaafoController
import FaafoWire
import Foundation
import FractalCore
import FractalJob
import FractalStore
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing
import WorkQueue

/// A controller over memory backends with a fixed clock and counted uuids and seeds, and
/// a metrics registry of its own that its router serves.
struct APIHarness {
    let store = MemoryFractalStore()
    let queue = InMemoryWorkQueue()
    let registry = PrometheusCollectorRegistry()
    let service: FractalService

    init(queue: InMemoryWorkQueue? = nil, store: MemoryFractalStore? = nil) {
        let counter = Counter()
        let environment = ServiceEnvironment(
            now: { Date(timeIntervalSince1970: 1_764_000_000 + Double(counter.peek())) },
            newUUID: { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", counter.next()))! },
            newSeed: { UInt64(counter.next()) })
        let usedStore = store ?? self.store
        let usedQueue = queue ?? self.queue
        service = FractalService(
            store: usedStore, queue: usedQueue, environment: environment,
            metrics: FractalMetrics(factory: PrometheusMetricsFactory(registry: registry)))
    }

    /// Runs `body` against the router in-process (`.router`) or over a socket (`.live`).
    func test(
        _ setup: TestingSetup = .router, credentials: WriteCredentials = .open,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let app = Application(
            router: buildRouter(
                service: service, metrics: registry, resultLimit: 1 << 20, credentials: credentials,
                readinessTimeout: OperationsRoutesTests.readinessTimeout),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(setup) { client in try await body(client) }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
    func peek() -> Int { lock.withLock { value } }
}

func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

func json(_ value: some Encodable) throws -> ByteBuffer { ByteBuffer(bytes: try JSONEncoder().encode(value)) }

func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(buffer: response.body))
}

/// The `message` of an error response.
func message(_ response: TestResponse) throws -> String {
    try decode(ErrorMessage.self, response).message
}

let smallTask = CreateFractal(
    fractal: FractalRequest(width: 64, height: 48, iterations: 100, xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: 42))

/// Renders what a worker would send for a stored fractal.
func upload(for object: FractalObject, generatedBy: String = "test-worker") throws -> ResultUpload {
    let parameters = try object.fractal.validated()
    let rendered = try RenderJob.run(parameters, threads: 1)
    return ResultUpload(
        duration: rendered.duration, checksum: rendered.checksum, size: rendered.size,
        image: rendered.png.base64EncodedString(), generatedBy: generatedBy, pixelChecksum: rendered.pixelChecksum)
}
