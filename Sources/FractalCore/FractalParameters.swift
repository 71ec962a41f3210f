/// A render task whose every value is inside the contract: what the renderer takes.
///
/// Make one with `FractalRequest.validated(limits:)`; the memberwise initialiser is
/// internal so that an unchecked value cannot reach the kernel.
public struct FractalParameters: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public let iterations: Int
    public let xa: Double
    public let xb: Double
    public let ya: Double
    public let yb: Double
    /// The Julia constant c.
    public let cx: Double
    public let cy: Double
    /// The seed c was drawn from, when it was.
    public let seed: UInt64?

    /// Raw RGB bytes of the image: width × height × 3.
    public var pixelByteCount: Int { width * height * 3 }

    /// The most escape-loop iterations the image can take: width × height × iterations.
    public var maximumWork: Int { width * height * iterations }

    /// The checked values as a request again: c settled, the seed kept. What a stored
    /// fractal, a golden case or a render report records of the task.
    public var request: FractalRequest {
        FractalRequest(
            width: width, height: height, iterations: iterations, xa: xa, xb: xb, ya: ya, yb: yb,
            cx: cx, cy: cy, seed: seed)
    }
}
