import FractalCore

extension TaskMessage {
    /// The queue message for a stored fractal, as the API publishes it.
    public init(_ object: FractalObject) {
        self.init(uuid: object.uuid, fractal: object.fractal)
    }
}
