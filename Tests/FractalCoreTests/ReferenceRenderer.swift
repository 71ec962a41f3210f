@testable import FractalCore

/// The render contract written out as plainly as the spec states it, one pixel at a time,
/// with no shared code with the kernel beyond the parameter types. The kernel is checked
/// against it.
enum ReferenceRenderer {
    static func pixels(_ p: FractalParameters) -> (rgb: [UInt8], work: Int) {
        var rgb: [UInt8] = []
        rgb.reserveCapacity(p.pixelByteCount)
        var work = 0
        for y in 0..<p.height {
            for x in 0..<p.width {
                let zx = Double(x) * (p.xb - p.xa) / Double(p.width - 1) + p.xa
                let zy = Double(y) * (p.yb - p.ya) / Double(p.height - 1) + p.ya
                var zr = zx
                var zi = zy
                var i = 0
                var escaped = false
                while i < p.iterations {
                    if zr * zr + zi * zi > 4.0 {
                        escaped = true
                        break
                    }
                    let nr = (zr * zr - zi * zi) + p.cx
                    let ni = (zr * zi + zi * zr) + p.cy
                    zr = nr
                    zi = ni
                    i += 1
                }
                if !escaped { i = p.iterations - 1 }
                work += i + 1
                rgb += [UInt8(i % 8 * 32), UInt8(i % 16 * 16), UInt8(i % 32 * 8)]
            }
        }
        return (rgb, work)
    }
}

/// Renders with `FrameRenderer` and gathers the streamed rows into one buffer, checking
/// that they arrive in order.
func renderCollecting(_ p: FractalParameters, threads: Int) -> (rgb: [UInt8], work: Int) {
    var rgb: [UInt8] = []
    var expectedRow = 0
    let stats = FrameRenderer(p, threads: threads).render { band in
        precondition(band.firstRow == expectedRow, "bands out of order")
        expectedRow += band.rowCount
        rgb += band.bytes
    }
    return (rgb, stats.work)
}
