import Testing
@testable import FractalCore

@Suite struct RendererTests {
    /// Random but reproducible parameters: every width from 2 to 40 (every remainder of
    /// the SIMD lanes), heights, planes in either direction, and c near the set's edge.
    static let randomCases: [FractalParameters] = {
        var generator = SplitMix64(seed: 2026)
        func uniform(_ range: ClosedRange<Double>) -> Double {
            generator.unit() * (range.upperBound - range.lowerBound) + range.lowerBound
        }
        return (2...40).map { width in
            let height = 2 + Int(generator.next() % 23)
            let iterations = 1 + Int(generator.next() % 300)
            var xa = uniform(-2.5 ... -0.5)
            var xb = uniform(0.5...2.5)
            if generator.next() % 3 == 0 { swap(&xa, &xb) }
            let request = FractalRequest(
                width: width, height: height, iterations: iterations,
                xa: xa, xb: xb, ya: uniform(-2 ... -0.2), yb: uniform(0.2...2),
                cx: uniform(-0.9 ... 0.4), cy: uniform(-0.7...0.7))
            return try! request.validated()
        }
    }()

    @Test(arguments: randomCases)
    func matchesTheReferenceAtEveryWidth(_ p: FractalParameters) {
        let expected = ReferenceRenderer.pixels(p)
        let inline = renderCollecting(p, threads: 1)
        #expect(inline.rgb == expected.rgb)
        #expect(inline.work == expected.work)
    }

    /// Large enough to take the threaded path, with many bands and a ring that wraps.
    static let threadedCases: [FractalParameters] = [
        try! FractalRequest(width: 37, height: 3001, iterations: 300, xa: -2, xb: 2, ya: -1.5, yb: 1.5, cx: -0.8, cy: 0.156).validated(),
        try! FractalRequest(width: 1021, height: 97, iterations: 500, xa: 1.6, xb: -1.6, ya: -1.2, yb: 1.2, cx: -0.70176, cy: -0.3842).validated(),
        try! FractalRequest(width: 9000, height: 5, iterations: 64, xa: -2, xb: 2, ya: -1, yb: 1, cx: 0.285, cy: 0.01).validated(),
    ]

    @Test(arguments: threadedCases, [1, 2, 3, 7])
    func threadCountDoesNotChangeThePixels(_ p: FractalParameters, threads: Int) {
        #expect(p.maximumWork >= FrameRenderer.inlineWorkLimit)
        let expected = ReferenceRenderer.pixels(p)
        let rendered = renderCollecting(p, threads: threads)
        #expect(rendered.rgb == expected.rgb)
        #expect(rendered.work == expected.work)
    }

    /// Bounds so far apart that xb - xa overflows: pixel starting points become infinite or
    /// NaN. The contract still defines every pixel (NaN never escapes); the kernel agrees.
    @Test func nonFiniteStartingPointsFollowTheContract() throws {
        let p = try FractalRequest(
            width: 19, height: 3, iterations: 40, xa: -1.5e308, xb: 1.7e308, ya: -1, yb: 1, cx: 0.1, cy: 0.2
        ).validated()
        let expected = ReferenceRenderer.pixels(p)
        #expect(renderCollecting(p, threads: 1).rgb == expected.rgb)
        #expect(expected.rgb[0...2] == [UInt8(39 % 8 * 32), UInt8(39 % 16 * 16), UInt8(39 % 32 * 8)])
    }

    struct Stop: Error {}

    @Test(arguments: [1, 3])
    func anErrorFromTheConsumerStopsTheRender(threads: Int) throws {
        let p = Self.threadedCases[0]
        var bands = 0
        #expect(throws: Stop.self) {
            _ = try FrameRenderer(p, threads: threads).render { (_: RowBand) throws(Stop) in
                bands += 1
                if bands == 5 { throw Stop() }
            }
        }
        #expect(bands == 5)
    }
}

extension FractalParameters: CustomTestStringConvertible {
    public var testDescription: String { "\(width)x\(height) \(iterations) it (\(xa), \(xb), \(ya), \(yb)) c=(\(cx), \(cy))" }
}
