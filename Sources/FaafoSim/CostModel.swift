import FractalCore
import FractalJob

/// How long simulated work takes. Rendering is real, but its simulated duration comes
/// from the work it did (escape iterations and pixels), never from the machine's clock,
/// so the order of events is the same on a fast machine and a slow one.
enum CostModel {
    /// Decoding and checking a message.
    static let prepare: Tick = 20
    /// Escape-loop iterations a microsecond, and pixels encoded a microsecond.
    static let iterationsPerTick = 250
    static let pixelsPerTick = 10

    /// A render that failed at its end (no pixels to count the escape iterations of):
    /// as long as it could have taken, every pixel running every iteration.
    static func estimate(_ parameters: FractalParameters) -> Tick {
        50 + Tick(parameters.maximumWork / iterationsPerTick) + Tick(parameters.width * parameters.height / pixelsPerTick)
    }

    static func render(_ rendered: RenderedFractal) -> Tick {
        let pixels = rendered.parameters.width * rendered.parameters.height
        return 50 + Tick(rendered.work / iterationsPerTick) + Tick(pixels / pixelsPerTick)
    }
}
