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

    static func render(_ rendered: RenderedFractal) -> Tick {
        let pixels = rendered.parameters.width * rendered.parameters.height
        return 50 + Tick(rendered.work / iterationsPerTick) + Tick(pixels / pixelsPerTick)
    }
}
