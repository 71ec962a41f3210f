/// The vectorised escape loop.
///
/// Pixels stream through SIMD lanes: each lane iterates its own pixel, and the moment a
/// lane's pixel is decided (it escaped, or it ran all iterations) the lane takes the next
/// pixel of the span. No lane waits for a slow neighbour, which is where a fixed group of
/// lanes loses most of its time near the set's boundary. Two independent four-lane
/// streams run interleaved so that one hides the other's multiply-add latency.
///
/// Every lane performs exactly the contract's operations in the contract's order, each
/// rounded on its own, so the result does not depend on which lane a pixel used, or on
/// how the image was split.
enum EscapeKernel {
    typealias Doubles = SIMD4<Double>
    typealias Counts = SIMD4<Int64>

    /// Writes the escape index of pixels `start..<end` (row-major over the whole image)
    /// into `indices[0..<(end - start)]`. Images of few iterations go to `renderInGroups`.
    static func render(
        pixels start: Int, to end: Int, in plane: PixelPlane, indices: UnsafeMutablePointer<Int32>
    ) {
        if plane.iterations <= groupIterationLimit {
            return renderInGroups(pixels: start, to: end, in: plane, indices: indices)
        }
        var feed = PixelFeed(plane: plane, next: start, end: end)
        var a = LaneStream()
        var b = LaneStream()
        for lane in 0..<Doubles.scalarCount {
            a.load(lane, from: &feed)
            b.load(lane, from: &feed)
        }
        let constants = LoopConstants(plane: plane)
        let base = start
        while feed.lanesInUse > 0 {
            let decidedA = a.step(constants)
            let decidedB = b.step(constants)
            if any(decidedA .| decidedB) {
                a.retire(decidedA, from: &feed, constants: constants, indices: indices, base: base)
                b.retire(decidedB, from: &feed, constants: constants, indices: indices, base: base)
            }
        }
    }
}

/// The per-image values of the loop, splatted into vectors once.
struct LoopConstants {
    let cx: EscapeKernel.Doubles
    let cy: EscapeKernel.Doubles
    let four = EscapeKernel.Doubles(repeating: 4)
    let iterations: EscapeKernel.Counts
    let lastIndex: Int64

    init(plane: PixelPlane) {
        cx = .init(repeating: plane.cx)
        cy = .init(repeating: plane.cy)
        iterations = .init(repeating: Int64(plane.iterations))
        lastIndex = Int64(plane.iterations - 1)
    }
}

/// Hands out the pixels of a span in order, with their starting point z.
struct PixelFeed {
    let plane: PixelPlane
    var next: Int
    let end: Int
    var column: Int
    var row: Int
    var lanesInUse = 0

    init(plane: PixelPlane, next: Int, end: Int) {
        self.plane = plane
        self.next = next
        self.end = end
        column = next % plane.width
        row = next / plane.width
    }
}

/// Four lanes of the escape loop and the pixel each lane is working on.
struct LaneStream {
    var zr = EscapeKernel.Doubles(repeating: .nan)
    var zi = EscapeKernel.Doubles(repeating: .nan)
    /// How many checks `|z|² > 4` each lane has passed.
    var passed = EscapeKernel.Counts(repeating: .min)
    /// The pixel in each lane, or -1 for an idle lane.
    var pixel = EscapeKernel.Counts(repeating: -1)

    /// One iteration of the contract's loop on every lane. Returns the lanes whose pixel
    /// is now decided: it escaped at this check, or it has passed all `iterations` checks.
    /// Idle lanes hold NaN, which never escapes, and a count that never reaches the limit.
    @inline(__always)
    mutating func step(_ k: LoopConstants) -> SIMDMask<EscapeKernel.Counts> {
        let rr = zr * zr
        let ii = zi * zi
        let escaped = (rr + ii) .> k.four
        passed &+= EscapeKernel.Counts(repeating: 1).replacing(with: 0, where: escaped)
        let rizi = zr * zi
        zr = (rr - ii) + k.cx
        zi = (rizi + rizi) + k.cy  // zr*zi + zi*zr: the two products are equal, so this is exact
        return escaped .| (passed .== k.iterations)
    }

    /// Stores the escape index of each decided lane and gives the lane the next pixel.
    @inline(__always)
    mutating func retire(
        _ decided: SIMDMask<EscapeKernel.Counts>, from feed: inout PixelFeed, constants k: LoopConstants,
        indices: UnsafeMutablePointer<Int32>, base: Int
    ) {
        for lane in 0..<EscapeKernel.Doubles.scalarCount where decided[lane] {
            let p = pixel[lane]
            guard p >= 0 else { continue }
            // Escaped at check n: n checks passed, index n. Never escaped: index iterations - 1.
            indices[Int(p) - base] = Int32(truncatingIfNeeded: min(passed[lane], k.lastIndex))
            feed.lanesInUse -= 1
            load(lane, from: &feed)
        }
    }

    /// Starts `lane` on the feed's next pixel, or idles it when the span is done.
    @inline(__always)
    mutating func load(_ lane: Int, from feed: inout PixelFeed) {
        guard feed.next < feed.end else {
            zr[lane] = .nan
            zi[lane] = .nan
            passed[lane] = .min
            pixel[lane] = -1
            return
        }
        zr[lane] = feed.plane.xs[feed.column]
        zi[lane] = feed.plane.ys[feed.row]
        passed[lane] = 0
        pixel[lane] = Int64(feed.next)
        feed.next += 1
        feed.column += 1
        if feed.column == feed.plane.width {
            feed.column = 0
            feed.row += 1
        }
        feed.lanesInUse += 1
    }
}
