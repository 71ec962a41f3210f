import FaafoController
import FaafoGallery
import FaafoWire

/// The web gallery reads and creates fractals through the service, like the JSON routes.
extension FractalService: FractalCatalog {
    public func fractal(uuid: String) async throws -> FractalObject? {
        do {
            return try await fractal(uuid)
        } catch let error as FractalServiceError where error.code == .notFound {
            return nil
        }
    }

    public func createFractal(_ request: CreateFractal) async throws -> FractalObject {
        switch try await create(request) {
        case .created(let object), .existing(let object): return object
        }
    }

    public func newSeed() -> UInt64 { environment.newSeed() }
}
