import FaafoWire
import FractalCore

/// What the gallery reads fractals from and creates them through. `FractalService`
/// conforms to it in FaafoAPI; the gallery knows nothing else of the controller.
public protocol FractalCatalog: Sendable {
    /// The limits a new fractal is checked against (the work budget).
    var limits: RenderLimits { get }

    /// The fractal with this uuid (canonical lower case), or nil when there is none.
    /// Throws only when the catalog itself fails.
    func fractal(uuid: String) async throws -> FractalObject?

    /// Page `page` (from 1) of all fractals, oldest first, in the API's shape. A page
    /// past the end has no objects.
    func page(_ page: Int, perPage: Int) async throws -> FractalPage

    /// Stores a new fractal and queues its task; returns it as stored. Throws when the
    /// request is refused or the catalog fails; the error's description says why.
    func createFractal(_ request: CreateFractal) async throws -> FractalObject

    /// A fresh random seed; the form draws each new fractal's plane and c from one.
    func newSeed() -> UInt64
}
