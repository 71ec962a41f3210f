import Foundation
import FractalCore

/// The body of a work-queue message: one fractal to render.
///
/// The original faafo sent the first eight fields; `cx`, `cy` and `seed` are additions.
/// A message without c takes it from `seed`; a message without either (from an original
/// faafo API) takes the seed from its uuid (`seedFromUUID`). The fractal's fields stand
/// beside `uuid` in the JSON; one it does not have is left out.
public struct TaskMessage: Codable, Hashable, Sendable {
    public var uuid: String
    /// The render request, as the message carries it.
    public var fractal: FractalRequest

    public init(uuid: String, fractal: FractalRequest) {
        self.uuid = uuid
        self.fractal = fractal
    }

    enum CodingKeys: String, CodingKey {
        case uuid
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        uuid = try c.decode(String.self, forKey: .uuid)
        fractal = try FractalRequest(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(uuid, forKey: .uuid)
        try fractal.encode(to: encoder)
    }

    /// The seed an original faafo message implies: the uuid's first 8 bytes, big-endian.
    /// Nil when `uuid` is not a UUID.
    public static func seedFromUUID(_ uuid: String) -> UInt64? {
        guard let parsed = UUID(uuidString: uuid) else { return nil }
        let b = parsed.uuid
        return [b.0, b.1, b.2, b.3, b.4, b.5, b.6, b.7].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
