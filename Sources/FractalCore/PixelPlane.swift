/// The starting point z of every column and row, computed once per image by the
/// contract's formula, `x * (xb - xa) / (width - 1) + xa` evaluated left to right.
final class PixelPlane: @unchecked Sendable {
    let width: Int
    let height: Int
    let iterations: Int
    let cx: Double
    let cy: Double
    let xs: UnsafeMutablePointer<Double>
    let ys: UnsafeMutablePointer<Double>

    init(_ p: FractalParameters) {
        width = p.width
        height = p.height
        iterations = p.iterations
        cx = p.cx
        cy = p.cy
        xs = .allocate(capacity: p.width)
        ys = .allocate(capacity: p.height)
        let dx = p.xb - p.xa
        let dy = p.yb - p.ya
        for x in 0..<p.width { xs[x] = Double(x) * dx / Double(p.width - 1) + p.xa }
        for y in 0..<p.height { ys[y] = Double(y) * dy / Double(p.height - 1) + p.ya }
    }

    deinit {
        xs.deallocate()
        ys.deallocate()
    }
}
