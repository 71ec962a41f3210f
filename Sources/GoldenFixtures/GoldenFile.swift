import Foundation
import FractalCore
import FractalPNG

/// A golden checksum file (Fixtures/golden.json): fractals with the checksums they must
/// have, and the encoder that made the PNG checksums.
///
/// A file is read leniently: only what a check needs is required (each case's parameters,
/// c or the seed it was drawn from, and `pixel_checksum`). A file without `encoder` has
/// its PNG checksums left unchecked; a case without `checksum` or `size` has them unchecked.
public struct GoldenFile: Codable, Hashable, Sendable {
    public static let currentFormat = 1

    public var format: Int
    /// How the file was made, for a reader.
    public var comment: String?
    /// The libpng and zlib that made `checksum` and `size`; `pixel_checksum` holds everywhere.
    /// Nil when the file does not say: its PNG checksums are then not compared.
    public var encoder: PNGLibraries?
    public var cases: [GoldenCase]

    public init(comment: String?, encoder: PNGLibraries?, cases: [GoldenCase]) {
        format = Self.currentFormat
        self.comment = comment
        self.encoder = encoder
        self.cases = cases
    }

    enum CodingKeys: String, CodingKey {
        case format, comment, encoder, cases
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decodeIntegerIfPresent(Int.self, forKey: .format) ?? Self.currentFormat
        comment = try c.decodeIfPresent(String.self, forKey: .comment)
        encoder = try c.decodeIfPresent(PNGLibraries.self, forKey: .encoder)
        cases = try c.decode([GoldenCase].self, forKey: .cases)
    }

    /// Reads a golden file; an error names the file, and the case and field at fault, in
    /// plain words (`Fixtures/mine.json: case 3 ('w1'): 'iterations' is missing`).
    public static func load(from url: URL) throws -> GoldenFile {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw GoldenFileError("\(url.path): cannot be read (\(error.localizedDescription))")
        }
        let file: GoldenFile
        do {
            file = try JSONDecoder().decode(GoldenFile.self, from: data)
        } catch {
            throw GoldenFileError("\(url.path): \(GoldenFileError.problem(error, in: data))")
        }
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
    /// The parameters. With a seed, c (when given) is the value drawn from it, and checked.
    public var fractal: FractalRequest
    public var pixelChecksum: String
    /// The PNG's checksum and size, for the file's encoder; nil when the file leaves them out.
    public var checksum: String?
    public var size: Int?

    public init(name: String, fractal: FractalRequest, pixelChecksum: String, checksum: String?, size: Int?) {
        self.name = name
        self.fractal = fractal
        self.pixelChecksum = pixelChecksum
        self.checksum = checksum
        self.size = size
    }

    enum CodingKeys: String, CodingKey {
        case name, checksum, size
        case pixelChecksum = "pixel_checksum"
    }

    /// Reads a case whose fields stand beside the fractal's. A case without a name is
    /// called by its place in the file (`case 3`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let place = (decoder.codingPath.last?.intValue).map { "case \($0 + 1)" } ?? "case"
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? place
        fractal = try FractalRequest(from: decoder, integers: .strict)
        pixelChecksum = try c.decode(String.self, forKey: .pixelChecksum)
        checksum = try c.decodeIfPresent(String.self, forKey: .checksum)
        size = try c.decodeIntegerIfPresent(Int.self, forKey: .size)
        typealias Keys = FractalRequest.CodingKeys
        func missing(_ key: Keys, _ why: String) -> DecodingError {
            .keyNotFound(key, DecodingError.Context(codingPath: decoder.codingPath, debugDescription: why))
        }
        switch (fractal.cx, fractal.cy, fractal.seed) {
        case (nil, nil, nil): throw missing(.cx, "'cx' and 'cy' are missing: give them, or the 'seed' c was drawn from")
        case (.some, nil, _): throw missing(.cy, "'cy' is missing: 'cx' and 'cy' go together")
        case (nil, .some, _): throw missing(.cx, "'cx' is missing: 'cx' and 'cy' go together")
        default: break
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try fractal.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(pixelChecksum, forKey: .pixelChecksum)
        try c.encodeIfPresent(checksum, forKey: .checksum)
        try c.encodeIfPresent(size, forKey: .size)
    }

    /// The request that should reproduce this case: with its seed when it has one, so that
    /// drawing c is checked too; otherwise with c.
    public var request: FractalRequest {
        var request = fractal
        if request.seed != nil { (request.cx, request.cy) = (nil, nil) }
        return request
    }
}

public struct GoldenFileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// What is wrong with a golden file's JSON, in words: the case (by place and name)
    /// and the field, e.g. `case 3 ('w1'): 'iterations' is missing`.
    static func problem(_ error: any Error, in data: Data) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        var path: [any CodingKey]
        let words: String
        switch error {
        case .keyNotFound(let key, let context):
            // A case's own checks say what is missing in a sentence that starts with the field.
            if context.debugDescription.hasPrefix("'") {
                path = context.codingPath
                words = context.debugDescription
            } else {
                path = context.codingPath + [key]
                words = "is missing"
            }
        case .valueNotFound(_, let context):
            path = context.codingPath
            words = "is null"
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            if case .dataCorrupted = error, context.codingPath.isEmpty { return "not valid JSON" }
            path = context.codingPath
            words = "must be \(kind(of: path.last))"
        @unknown default:
            return "\(error)"
        }
        var parts: [String] = []
        if path.first?.stringValue == GoldenFile.CodingKeys.cases.stringValue, path.count > 1,
            let index = path[1].intValue
        {
            parts.append(caseLabel(index, in: data))
            path.removeFirst(2)
        }
        let field = path.map(\.stringValue).joined(separator: ".")
        parts.append(field.isEmpty || words.hasPrefix("'") ? words : "'\(field)' \(words)")
        return parts.joined(separator: ": ")
    }

    /// `case 3 ('w1')`: the case's place in the file (from 1) and its name when it has one.
    static func caseLabel(_ index: Int, in data: Data) -> String {
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        let cases = object?[GoldenFile.CodingKeys.cases.stringValue] as? [Any]
        let name = cases.flatMap { index < $0.count ? ($0[index] as? [String: Any])?["name"] as? String : nil }
        return "case \(index + 1)" + (name.map { " ('\($0)')" } ?? "")
    }

    /// What the field `key` holds, in words; nil is the file itself.
    static func kind(of key: (any CodingKey)?) -> String {
        guard let key else { return "an object" }
        if key.intValue != nil { return "an object of fields" }
        if let fractalKey = FractalRequest.CodingKeys(stringValue: key.stringValue) { return fractalKey.kind }
        switch key.stringValue {
        case GoldenCase.CodingKeys.size.stringValue, GoldenFile.CodingKeys.format.stringValue: return "a whole number"
        case GoldenFile.CodingKeys.cases.stringValue: return "a list of cases"
        case GoldenFile.CodingKeys.encoder.stringValue: return "an object with 'libpng' and 'zlib'"
        default: return "text"
        }
    }
}
