import FractalJob

extension TaskSteps.Rendered {
    /// What a task's steps need of a finished render.
    public init(_ rendered: RenderedFractal) {
        self.init(
            png: rendered.png, checksum: rendered.checksum, pixelChecksum: rendered.pixelChecksum,
            duration: rendered.duration)
    }
}
