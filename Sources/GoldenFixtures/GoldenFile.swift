import Foundation
import FractalCore
import FractalPNG

/// A golden checksum file (Fixtures/golden.json): fractals with the checksums they must
/// have, and the encoder that made the PNG checksums.
public struct GoldenFile: Codable, Hashable, Sendable {
    public static let currentFormat = 1

    public var format: Int
    /// How the file was made, for a reader.
    public var comment: String
    /// The libpng and zlib that made `checksum` and `size`; `pixel_checksum` holds everywhere.
    public var encoder: PNGLibraries
    public var cases: [GoldenCase]

    public init(comment: String, encoder: PNGLibraries, cases: [GoldenCase]) {
        format = Self.currentFormat
        self.comment = comment
        self.encoder = encoder
        self.cases = cases
    }

    public static func load(from url: URL) throws -> GoldenFile {
        let file = try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: url))
        guard file.format == currentFormat else {
            throw GoldenFileError("\(url.path): format \(file.format) is not the supported format \(currentFormat)")
        }
        return file
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}

/// One fractal of a golden file.
public struct GoldenCase: Codable, Hashable, Sendable {
    public var name: String
    public var width: Int
    public var height: Int
    public var iterations: Int
    public var xa: Double
    public var xb: Double
    public var ya: Double
    public var yb: Double
    /// Present when c was drawn from this seed; c below is then the drawn value.
    public var seed: UInt64?
    public var cx: Double
    public var cy: Double
    public var pixelChecksum: String
    public var checksum: String
    public var size: Int

    enum CodingKeys: String, CodingKey {
        case name, width, height, iterations, xa, xb, ya, yb, seed, cx, cy, checksum, size
        case pixelChecksum = "pixel_checksum"
    }

    /// The request that should reproduce this case: with its seed when it has one, so that
    /// drawing c is checked too; otherwise with c.
    public var request: FractalRequest {
        FractalRequest(
            width: width, height: height, iterations: iterations, xa: xa, xb: xb, ya: ya, yb: yb,
            cx: seed == nil ? cx : nil, cy: seed == nil ? cy : nil, seed: seed)
    }
}

public struct GoldenFileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
