/// Drawing the Julia constant c from a seed, as the render contract specifies.
public enum JuliaConstant {
    /// The number of draws before the last one stands.
    public static let maximumDraws = 10_000

    /// Draws c over the plane (xa, xb, ya, yb) until the escape loop started at z = c
    /// ends with 10 < i < 100, at most `maximumDraws` times.
    public static func fromSeed(
        _ seed: UInt64, xa: Double, xb: Double, ya: Double, yb: Double, iterations: Int
    ) -> (cx: Double, cy: Double) {
        var generator = SplitMix64(seed: seed)
        // An escape at i >= 100 rejects the draw whatever i is, so 101 iterations decide
        // as surely as `iterations` do, and a draw costs at most 101 steps.
        let decisive = min(iterations, 101)
        var cx = 0.0
        var cy = 0.0
        for _ in 0..<maximumDraws {
            cx = generator.unit() * (xb - xa) + xa
            cy = generator.unit() * (yb - ya) + ya
            let i = escapeIndex(zr: cx, zi: cy, cx: cx, cy: cy, iterations: decisive)
            if 10 < i && i < 100 { break }
        }
        return (cx, cy)
    }

    /// The contract's escape loop for one point, written as the spec writes it: the index
    /// of the first iteration whose |z|² exceeds 4, or `iterations - 1` if none does.
    public static func escapeIndex(zr: Double, zi: Double, cx: Double, cy: Double, iterations: Int) -> Int {
        var zr = zr
        var zi = zi
        var i = 0
        while i < iterations {
            if zr * zr + zi * zi > 4.0 { return i }
            (zr, zi) = ((zr * zr - zi * zi) + cx, (zr * zi + zi * zr) + cy)
            i += 1
        }
        return iterations - 1
    }
}
