import FaafoAPI
import FaafoController
import FaafoWire
import Foundation
import FractalCore
import FractalJob
import FractalStore
import Hummingbird
import HummingbirdTesting
import Testing
import WorkQueue

/// The API's real router over memory backends, with counted uuids and seeds, and a way
/// to complete stored fractals as a worker would.
struct GalleryHarness {
    let service: FractalService

    init() {
        let counter = LockedCounter()
        let environment = ServiceEnvironment(
            now: { Date(timeIntervalSince1970: 1_764_000_000 + Double(counter.peek())) },
            newUUID: { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", counter.next()))! },
            newSeed: { UInt64(counter.next()) })
        service = FractalService(store: MemoryFractalStore(), queue: InMemoryWorkQueue(), environment: environment)
    }

    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: buildRouter(service: service, resultLimit: 1 << 22))
        try await app.test(.router) { client in try await body(client) }
    }

    /// Stores `count` fractals of `width` × `height`, each with its own plane and seed.
    func create(_ count: Int, width: Int = 64, height: Int = 48) async throws -> [FractalObject] {
        var objects: [FractalObject] = []
        for i in 0..<count {
            let request = CreateFractal(
                fractal: FractalRequest(
                    width: width, height: height, iterations: 60 + 10 * i, xa: -2 - 0.1 * Double(i), xb: 2, ya: -1.5,
                    yb: 1.5, seed: UInt64(100 + i)))
            objects.append(try await service.createFractal(request))
        }
        return objects
    }

    /// Renders `object` and stores the result, as a worker does through the API.
    @discardableResult
    func complete(_ object: FractalObject, generatedBy: String = "gallery-test") async throws -> FractalObject {
        let rendered = try RenderJob.run(Self.parameters(of: object), threads: 1)
        let upload = ResultUpload(
            duration: rendered.duration, checksum: rendered.checksum, size: rendered.size,
            image: rendered.png.base64EncodedString(), generatedBy: generatedBy,
            pixelChecksum: rendered.pixelChecksum)
        return try await service.submitResult(object.uuid, upload)
    }

    static func parameters(of object: FractalObject, width: Int? = nil, height: Int? = nil) throws -> FractalParameters {
        var request = object.fractal
        request.seed = nil
        request.width = width ?? request.width
        request.height = height ?? request.height
        return try request.validated()
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
    func peek() -> Int { lock.withLock { value } }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// How many times `needle` occurs in `text`.
func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}
