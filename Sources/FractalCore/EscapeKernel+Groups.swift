/// The escape loop for images of few iterations: fixed groups of eight consecutive pixels
/// (two four-lane vectors) iterate together until every pixel of the group is decided.
///
/// At a few dozen iterations most pixels escape within a dozen steps, and handing a lane
/// its next pixel the moment its own is decided (what `render` does otherwise) costs more
/// than the steps it saves: a lane insert and a branch the processor cannot predict for
/// every pixel. Here nothing is decided per lane: a lane that escapes stops counting (its
/// mask is sticky) while its neighbours go on, and the group stops when none is left, or
/// after `iterations` checks. The waste is bounded by the iterations, which is why larger
/// counts keep the streaming lanes.
///
/// Each lane performs the contract's operations in the contract's order, and its index is
/// the number of checks it passed before its first escape, so the pixels are those of the
/// streaming lanes and of the contract. What a lane computes after its escape is never read.
extension EscapeKernel {
    /// Images of at most this many iterations are rendered in fixed groups.
    static let groupIterationLimit = 128

    /// Writes the escape index of pixels `start..<end` into `indices[0..<(end - start)]`,
    /// eight pixels at a time.
    static func renderInGroups(
        pixels start: Int, to end: Int, in plane: PixelPlane, indices: UnsafeMutablePointer<Int32>
    ) {
        let k = LoopConstants(plane: plane)
        let none = Counts(repeating: 0)
        let last = Counts(repeating: k.lastIndex)
        let iterations = plane.iterations
        var first = start
        var column = start % plane.width
        var row = start / plane.width
        while first < end {
            var (ar, ai) = loadGroup(plane, from: first, to: end, column: &column, row: &row)
            var (br, bi) = loadGroup(plane, from: first + 4, to: end, column: &column, row: &row)
            // Checks passed, and 1 in each lane whose pixel has not escaped yet.
            var passedA = none
            var passedB = none
            var liveA = Counts(repeating: 1)
            var liveB = Counts(repeating: 1)
            var checks = 0
            while checks < iterations {
                let arr = ar * ar
                let aii = ai * ai
                let brr = br * br
                let bii = bi * bi
                liveA = liveA.replacing(with: 0, where: (arr + aii) .> k.four)
                liveB = liveB.replacing(with: 0, where: (brr + bii) .> k.four)
                passedA &+= liveA
                passedB &+= liveB
                let ari = ar * ai
                let bri = br * bi
                ar = (arr - aii) + k.cx
                ai = (ari + ari) + k.cy  // zr*zi + zi*zr: the two products are equal, so this is exact
                br = (brr - bii) + k.cx
                bi = (bri + bri) + k.cy
                checks += 1
                if liveA | liveB == none { break }
            }
            // Escaped at check n: n checks passed, index n. Never escaped: index iterations - 1.
            let a = pointwiseMin(passedA, last)
            let b = pointwiseMin(passedB, last)
            let out = indices + (first - start)
            for lane in 0..<min(4, end - first) { out[lane] = Int32(truncatingIfNeeded: a[lane]) }
            for lane in 0..<max(0, min(4, end - first - 4)) { out[4 + lane] = Int32(truncatingIfNeeded: b[lane]) }
            first += 8
        }
    }

    /// The starting points of pixels `first..<first + 4`, advancing `column` and `row` past
    /// them; lanes past `end` start far outside the escape radius, so they drop out at the
    /// first check.
    @inline(__always)
    private static func loadGroup(
        _ plane: PixelPlane, from first: Int, to end: Int, column: inout Int, row: inout Int
    ) -> (Doubles, Doubles) {
        var zr = Doubles(repeating: 1e10)
        var zi = Doubles(repeating: 1e10)
        for lane in 0..<min(4, max(0, end - first)) {
            zr[lane] = plane.xs[column]
            zi[lane] = plane.ys[row]
            column += 1
            if column == plane.width {
                column = 0
                row += 1
            }
        }
        return (zr, zi)
    }
}
