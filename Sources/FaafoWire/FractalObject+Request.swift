import FractalCore

extension FractalObject {
    /// The render request this stored fractal stands for: its size, iterations, region
    /// and c (or, for a fractal stored without c, the seed to draw it from). Rendering it
    /// gives the checksums a correct worker must have reported.
    public var request: FractalRequest {
        FractalRequest(
            width: width, height: height, iterations: iterations, xa: xa, xb: xb, ya: ya, yb: yb,
            cx: cx, cy: cy, seed: seed)
    }
}

extension CreateFractal {
    /// The render request of a create, to validate against the render contract.
    public var request: FractalRequest {
        FractalRequest(
            width: width, height: height, iterations: iterations, xa: xa, xb: xb, ya: ya, yb: yb,
            cx: cx, cy: cy, seed: seed)
    }
}

extension TaskMessage {
    /// The queue message for a stored fractal, as the API publishes it.
    public init(_ object: FractalObject) {
        self.init(
            uuid: object.uuid, width: object.width, height: object.height, iterations: object.iterations,
            xa: object.xa, xb: object.xb, ya: object.ya, yb: object.yb, cx: object.cx, cy: object.cy,
            seed: object.seed)
    }

    /// The render request of a queued task, as the message carries it (an original
    /// faafo message has neither c nor seed: see `seedFromUUID`).
    public var request: FractalRequest {
        FractalRequest(
            width: width, height: height, iterations: iterations, xa: xa, xb: xb, ya: ya, yb: yb,
            cx: cx, cy: cy, seed: seed)
    }
}
