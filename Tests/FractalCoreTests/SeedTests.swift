import Testing
@testable import FractalCore

@Suite struct SeedTests {
    @Test func splitMix64MatchesTheContractVectors() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xe220_a839_7b1d_cdaf)
        #expect(generator.next() == 0x6e78_9e6a_a1b9_65f4)
    }

    @Test func unitTakesTheTop53Bits() {
        var a = SplitMix64(seed: 0)
        var b = SplitMix64(seed: 0)
        #expect(a.unit() == Double(b.next() >> 11) / 9_007_199_254_740_992)
    }

    @Test func seed42DrawsTheContractsC() {
        let c = JuliaConstant.fromSeed(42, xa: -2, xb: 2, ya: -1.5, yb: 1.5, iterations: 255)
        #expect(c.cx == 0.3992652157350287)
        #expect(c.cy == 0.359457104697293)
    }

    @Test func seed7DrawsTheContractsC() {
        let c = JuliaConstant.fromSeed(
            7, xa: -1.77488588389, xb: 3.08249829401, ya: -1.31213919301, yb: 1.95281690897, iterations: 362)
        #expect(c.cx == -1.4024155614771598)
        #expect(c.cy == 0.016841712527860375)
    }

    /// The draw loop stops after 101 iterations; this checks that shortcut against the
    /// contract's loop run to the full count, over many seeds and iteration counts.
    @Test(arguments: [1, 11, 12, 99, 100, 101, 102, 500, 5000])
    func shortenedDrawLoopAgreesWithTheFullLoop(iterations: Int) {
        for seed in UInt64(0)..<60 {
            var generator = SplitMix64(seed: seed)
            var expected = (0.0, 0.0)
            for _ in 0..<JuliaConstant.maximumDraws {
                let cx = generator.unit() * 4 - 2
                let cy = generator.unit() * 3 - 1.5
                expected = (cx, cy)
                let i = JuliaConstant.escapeIndex(zr: cx, zi: cy, cx: cx, cy: cy, iterations: iterations)
                if 10 < i && i < 100 { break }
            }
            let drawn = JuliaConstant.fromSeed(seed, xa: -2, xb: 2, ya: -1.5, yb: 1.5, iterations: iterations)
            #expect(drawn.cx == expected.0 && drawn.cy == expected.1, "seed \(seed)")
        }
    }

    @Test func withNoAcceptableDrawTheLastDrawStands() {
        // With 5 iterations, i is at most 4, never above 10: all 10000 draws miss.
        var generator = SplitMix64(seed: 3)
        var last = (0.0, 0.0)
        for _ in 0..<JuliaConstant.maximumDraws {
            last.0 = generator.unit() * 2 - 1
            last.1 = generator.unit() * 2 - 1
        }
        let drawn = JuliaConstant.fromSeed(3, xa: -1, xb: 1, ya: -1, yb: 1, iterations: 5)
        #expect(drawn.cx == last.0 && drawn.cy == last.1)
    }
}
