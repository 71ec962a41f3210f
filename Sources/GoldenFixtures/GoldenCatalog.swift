import FractalCore

/// The cases `faafo fixtures make` writes into Fixtures/golden.json. Each one is there for
/// a reason given beside it; together they cover small, odd-sized, inverted-axis,
/// seed-derived and heavy images.
public enum GoldenCatalog {
    public struct Entry: Sendable {
        public let name: String
        public let request: FractalRequest
    }

    private static let standardPlane = (xa: -2.0, xb: 2.0, ya: -1.5, yb: 1.5)
    private static let tutorialPlane = (xa: -1.77488588389, xb: 3.08249829401, ya: -1.31213919301, yb: 1.95281690897)

    private static func entry(
        _ name: String, _ width: Int, _ height: Int, _ iterations: Int,
        _ plane: (xa: Double, xb: Double, ya: Double, yb: Double), c: (Double, Double)? = nil, seed: UInt64? = nil
    ) -> Entry {
        Entry(
            name: name,
            request: FractalRequest(
                width: width, height: height, iterations: iterations,
                xa: plane.xa, xb: plane.xb, ya: plane.ya, yb: plane.yb, cx: c?.0, cy: c?.1, seed: seed))
    }

    public static let standard: [Entry] = [
        // The render contract's three known answers.
        entry("spec-2x2-seed-1", 2, 2, 1, (-1, 1, -1, 1), seed: 1),
        entry("spec-64x48-seed-42", 64, 48, 255, standardPlane, seed: 42),
        entry("spec-101x77-seed-7", 101, 77, 362, tutorialPlane, seed: 7),
        // Small and odd sizes: widths that leave every possible remainder of a SIMD group.
        entry("small-3x2", 3, 2, 16, (-1.5, 1.5, -1, 1), c: (-0.8, 0.156)),
        entry("odd-17x13", 17, 13, 100, (-2, 2, -2, 2), c: (0.285, 0.01)),
        entry("odd-5x9", 5, 9, 77, standardPlane, c: (-0.4, 0.6)),
        entry("tail-1023x5", 1023, 5, 300, standardPlane, c: (-0.8, 0.156)),
        entry("wide-4099x2", 4099, 2, 64, standardPlane, c: (-0.70176, -0.3842)),
        entry("tall-2x997", 2, 997, 200, standardPlane, c: (-0.8, 0.156)),
        entry("one-iteration-33x17", 33, 17, 1, standardPlane, c: (-0.8, 0.156)),
        // Bounds given high to low: the image is mirrored, not rejected.
        entry("inverted-x-160x120", 160, 120, 256, (2, -2, -1.5, 1.5), c: (-0.4, 0.6)),
        entry("inverted-both-120x90", 120, 90, 256, (1.5, -1.5, 1.2, -1.2), c: (-0.70176, -0.3842)),
        // A deep zoom and a region that never escapes (every pixel runs all iterations).
        entry("deep-zoom-64x64", 64, 64, 500, (0.1, 0.1 + 1e-9, -0.2, -0.2 + 1e-9), c: (-0.8, 0.156)),
        entry("never-escapes-40x30", 40, 30, 1000, (-0.1, 0.1, -0.1, 0.1), c: (-0.1, 0.1)),
        // c drawn from seeds: zero, a full 64-bit one, and a tutorial-sized image.
        entry("seed-0-96x64", 96, 64, 128, standardPlane, seed: 0),
        entry("seed-64bit-200x150", 200, 150, 400, tutorialPlane, seed: 0xDEAD_BEEF_CAFE_BABE),
        entry("tutorial-649x869-seed-154", 649, 869, 362, tutorialPlane, seed: 154),
        // Heavy: the benchmark workloads W1 and W3.
        entry("heavy-w1-1024x768", 1024, 768, 512, standardPlane, c: (-0.8, 0.156)),
        entry("heavy-w3-1024x1024", 1024, 1024, 2000, (-0.3, 0.3, -0.3, 0.3), c: (-0.8, 0.156)),
    ]
}
