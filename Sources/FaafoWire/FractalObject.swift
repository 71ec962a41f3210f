import Foundation
import FractalCore

/// A fractal as the HTTP API shows it: every stored field except the image bytes.
///
/// The fractal's fields stand beside the others in the JSON, flat. The original faafo's
/// keys are `uuid`, the fractal's first seven, `duration`, `size`, `checksum`, `url` and
/// `generated_by`; the rest are additions. Fields a pending fractal does not have yet
/// (`duration`, `size`, `checksum`, `cx` without c, …) are null, as they were in the original.
public struct FractalObject: Codable, Hashable, Sendable {
    public var uuid: String
    /// The task's parameters; c and seed as stored (nil when not given).
    public var fractal: FractalRequest
    public var duration: Double?
    public var size: Int?
    public var checksum: String?
    public var url: String?
    public var generatedBy: String?
    public var pixelChecksum: String?
    public var status: FractalStatus
    public var createdAt: String
    public var completedAt: String?
    public var attempts: Int
    /// Why the fractal failed (status `failed`): a worker gave it up; nil otherwise.
    public var failure: String?

    /// The keys besides the fractal's own (`FractalRequest.CodingKeys`), which stand
    /// beside them in the same object.
    enum CodingKeys: String, CodingKey {
        case uuid, duration, size, checksum, url
        case generatedBy = "generated_by"
        case pixelChecksum = "pixel_checksum"
        case status
        case createdAt = "created_at"
        case completedAt = "completed_at"
        case attempts, failure
    }

    public init(
        uuid: String, fractal: FractalRequest,
        duration: Double? = nil, size: Int? = nil, checksum: String? = nil, url: String? = nil,
        generatedBy: String? = nil, pixelChecksum: String? = nil, status: FractalStatus = .pending,
        createdAt: String, completedAt: String? = nil, attempts: Int = 0, failure: String? = nil
    ) {
        self.uuid = uuid
        self.fractal = fractal
        self.duration = duration
        self.size = size
        self.checksum = checksum
        self.url = url
        self.generatedBy = generatedBy
        self.pixelChecksum = pixelChecksum
        self.status = status
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.attempts = attempts
        self.failure = failure
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        uuid = try c.decode(String.self, forKey: .uuid)
        fractal = try FractalRequest(from: decoder)
        duration = try c.decodeIfPresent(Double.self, forKey: .duration)
        size = try c.decodeIfPresent(Int.self, forKey: .size)
        checksum = try c.decodeIfPresent(String.self, forKey: .checksum)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        generatedBy = try c.decodeIfPresent(String.self, forKey: .generatedBy)
        pixelChecksum = try c.decodeIfPresent(String.self, forKey: .pixelChecksum)
        status = try c.decode(FractalStatus.self, forKey: .status)
        createdAt = try c.decode(String.self, forKey: .createdAt)
        completedAt = try c.decodeIfPresent(String.self, forKey: .completedAt)
        attempts = try c.decode(Int.self, forKey: .attempts)
        failure = try c.decodeIfPresent(String.self, forKey: .failure)
    }

    /// Encodes every key, nulls included, as Flask-Restless did.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(uuid, forKey: .uuid)
        try fractal.encode(to: encoder, absent: .null)
        try c.encode(duration, forKey: .duration)
        try c.encode(size, forKey: .size)
        try c.encode(checksum, forKey: .checksum)
        try c.encode(url, forKey: .url)
        try c.encode(generatedBy, forKey: .generatedBy)
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

    /// `completed_at` as a date; nil while pending, or when it is not a timestamp.
    public var completedDate: Date? {
        completedAt.flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) }
    }
}
