import FractalCore
import FractalJob
import FractalPNG

/// Renders golden cases and compares them with what they must be.
public enum GoldenCheck {
    /// One field of one case that did not match.
    public struct Mismatch: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public let field: String
        public let expected: String
        public let actual: String
        public var description: String { "\(name): \(field) is \(actual), expected \(expected)" }
    }

    /// Renders one golden case and lists what differs. The PNG checksum and size are
    /// compared only when `encoderMatches`: they depend on the zlib build.
    public static func check(_ golden: GoldenCase, threads: Int, encoderMatches: Bool) -> [Mismatch] {
        let parameters: FractalParameters
        do {
            parameters = try golden.request.validated()
        } catch {
            return [Mismatch(name: golden.name, field: error.field, expected: "a valid value", actual: error.message)]
        }
        let rendered: RenderedFractal
        do {
            rendered = try RenderJob.run(parameters, threads: threads)
        } catch {
            return compare(golden, cx: parameters.cx, cy: parameters.cy, encoderMatches: false)
                + [Mismatch(name: golden.name, field: "png", expected: "an image", actual: "\(error)")]
        }
        return compare(
            golden, cx: parameters.cx, cy: parameters.cy, pixelChecksum: rendered.pixelChecksum,
            checksum: rendered.checksum, size: rendered.size, encoderMatches: encoderMatches)
    }

    /// Compares what a renderer (here, or a deployment) produced for a golden case with
    /// the case; nil values, here or in the case, are not compared. `checksum` and `size`
    /// only when `encoderMatches`.
    public static func compare(
        _ golden: GoldenCase, cx: Double? = nil, cy: Double? = nil, pixelChecksum: String? = nil,
        checksum: String? = nil, size: Int? = nil, encoderMatches: Bool
    ) -> [Mismatch] {
        var mismatches: [Mismatch] = []
        func compare(_ field: String, _ expected: String, _ actual: String?) {
            if let actual, expected != actual {
                mismatches.append(Mismatch(name: golden.name, field: field, expected: expected, actual: actual))
            }
        }
        func compareNumber(_ field: String, _ expected: Double?, _ actual: Double?) {
            if let expected { compare(field, "\(expected)", actual.map { "\($0)" }) }
        }
        compareNumber("cx", golden.fractal.cx, cx)
        compareNumber("cy", golden.fractal.cy, cy)
        compare("pixel_checksum", golden.pixelChecksum, pixelChecksum)
        if encoderMatches {
            if let expected = golden.checksum { compare("checksum", expected, checksum) }
            if let expected = golden.size { compare("size", "\(expected)", size.map { "\($0)" }) }
        }
        return mismatches
    }

    /// Checks every case of a file; the PNG checksums only where its encoder is this one
    /// (never when the file names none).
    public static func check(_ file: GoldenFile, threads: Int) -> [Mismatch] {
        let encoderMatches = file.encoder == .current
        return file.cases.flatMap { check($0, threads: threads, encoderMatches: encoderMatches) }
    }

    /// Renders the catalogue's entries into a golden file with this platform's encoder.
    public static func make(_ entries: [GoldenCatalog.Entry], threads: Int) throws -> GoldenFile {
        var cases: [GoldenCase] = []
        for entry in entries {
            let parameters = try entry.request.validated()
            let rendered = try RenderJob.run(parameters, threads: threads)
            cases.append(
                GoldenCase(
                    name: entry.name, fractal: parameters.request, pixelChecksum: rendered.pixelChecksum,
                    checksum: rendered.checksum, size: rendered.size))
        }
        return GoldenFile(
            comment: "Made by `faafo fixtures make`. pixel_checksum holds on every platform; "
                + "checksum and size hold for the encoder named here.",
            encoder: .current, cases: cases)
    }
}
