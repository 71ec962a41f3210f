import Foundation

/// A fractal as the HTTP API shows it: every stored field except the image bytes.
///
/// The first thirteen fields are the original faafo's; the rest are additions. Fields a
/// pending fractal does not have yet (`duration`, `size`, `checksum`, …) are null, as
/// they were in the original.
public struct FractalObject: Codable, Hashable, Sendable {
    public var uuid: String
    public var width: Int
    public var height: Int
    public var iterations: Int
    public var xa: Double
    public var xb: Double
    public var ya: Double
    public var yb: Double
    public var duration: Double?
    public var size: Int?
    public var checksum: String?
    public var url: String?
    public var generatedBy: String?
    public var cx: Double?
    public var cy: Double?
    public var seed: UInt64?
    public var pixelChecksum: String?
    public var status: FractalStatus
    public var createdAt: String
    public var completedAt: String?
    public var attempts: Int
    /// Why the fractal failed (status `failed`): a worker gave it up; nil otherwise.
    public var failure: String?

    enum CodingKeys: String, CodingKey {
        case uuid, width, height, iterations, xa, xb, ya, yb, duration, size, checksum, url
        case generatedBy = "generated_by"
        case cx, cy, seed
        case pixelChecksum = "pixel_checksum"
        case status
        case createdAt = "created_at"
        case completedAt = "completed_at"
        case attempts, failure
    }

    public init(
        uuid: String, width: Int, height: Int, iterations: Int, xa: Double, xb: Double, ya: Double, yb: Double,
        duration: Double? = nil, size: Int? = nil, checksum: String? = nil, url: String? = nil,
        generatedBy: String? = nil, cx: Double? = nil, cy: Double? = nil, seed: UInt64? = nil,
        pixelChecksum: String? = nil, status: FractalStatus = .pending, createdAt: String,
        completedAt: String? = nil, attempts: Int = 0, failure: String? = nil
    ) {
        self.uuid = uuid
        self.width = width
        self.height = height
        self.iterations = iterations
        self.xa = xa
        self.xb = xb
        self.ya = ya
        self.yb = yb
        self.duration = duration
        self.size = size
        self.checksum = checksum
        self.url = url
        self.generatedBy = generatedBy
        self.cx = cx
        self.cy = cy
        self.seed = seed
        self.pixelChecksum = pixelChecksum
        self.status = status
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.attempts = attempts
        self.failure = failure
    }

    /// Encodes every key, nulls included, as Flask-Restless did.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(uuid, forKey: .uuid)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(xa, forKey: .xa)
        try c.encode(xb, forKey: .xb)
        try c.encode(ya, forKey: .ya)
        try c.encode(yb, forKey: .yb)
        try c.encode(duration, forKey: .duration)
        try c.encode(size, forKey: .size)
        try c.encode(checksum, forKey: .checksum)
        try c.encode(url, forKey: .url)
        try c.encode(generatedBy, forKey: .generatedBy)
        try c.encode(cx, forKey: .cx)
        try c.encode(cy, forKey: .cy)
        try c.encode(seed, forKey: .seed)
        try c.encode(pixelChecksum, forKey: .pixelChecksum)
        try c.encode(status, forKey: .status)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(completedAt, forKey: .completedAt)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(failure, forKey: .failure)
    }
}

/// Where a fractal is in its life.
public enum FractalStatus: String, Codable, Hashable, Sendable {
    /// Stored and queued; no result yet.
    case pending
    /// A worker's result was accepted.
    case completed
    /// A worker gave the task up (see `failure`); a valid result may still complete it.
    case failed
}

extension FractalObject {
    /// `completed_at − created_at`, both on the API's clock; nil while pending, or when
    /// either is not a timestamp.
    public var storedLatency: Duration? {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        guard let completedText = completedAt,
            let created = try? style.parse(createdAt),
            let completed = try? style.parse(completedText)
        else { return nil }
        return .seconds(max(0, completed.timeIntervalSince(created)))
    }
}
