import Foundation

/// The body of a work-queue message: one fractal to render.
///
/// The original faafo sent the first eight fields; `cx`, `cy` and `seed` are additions.
/// A message without c takes it from `seed`; a message without either (from an original
/// faafo API) takes the seed from its uuid (`seedFromUUID`).
public struct TaskMessage: Codable, Hashable, Sendable {
    public var uuid: String
    public var width: Int
    public var height: Int
    public var iterations: Int
    public var xa: Double
    public var xb: Double
    public var ya: Double
    public var yb: Double
    public var cx: Double?
    public var cy: Double?
    public var seed: UInt64?

    public init(
        uuid: String, width: Int, height: Int, iterations: Int,
        xa: Double, xb: Double, ya: Double, yb: Double,
        cx: Double? = nil, cy: Double? = nil, seed: UInt64? = nil
    ) {
        self.uuid = uuid
        self.width = width
        self.height = height
        self.iterations = iterations
        self.xa = xa
        self.xb = xb
        self.ya = ya
        self.yb = yb
        self.cx = cx
        self.cy = cy
        self.seed = seed
    }

    /// The seed an original faafo message implies: the uuid's first 8 bytes, big-endian.
    /// Nil when `uuid` is not a UUID.
    public static func seedFromUUID(_ uuid: String) -> UInt64? {
        guard let parsed = UUID(uuidString: uuid) else { return nil }
        let b = parsed.uuid
        return [b.0, b.1, b.2, b.3, b.4, b.5, b.6, b.7].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
