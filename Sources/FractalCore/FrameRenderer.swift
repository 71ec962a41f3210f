import Foundation

/// Renders a whole image and streams its rows, in order, to a consumer.
///
/// With more than one thread, worker threads take bands of rows in turn and render them
/// into a ring of band slots while the calling thread consumes finished bands in row
/// order (typically into a PNG encoder and a hash). The ring bounds memory to a few
/// bands whatever the image size, and the consumer overlaps the rendering.
public struct FrameRenderer: Sendable {
    public let parameters: FractalParameters
    public let threads: Int

    /// Renders below this much work (width × height × iterations) run on the calling thread:
    /// starting threads would cost more than they save.
    public static let inlineWorkLimit = 1 << 18

    public static var defaultThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    public init(_ parameters: FractalParameters, threads: Int = FrameRenderer.defaultThreadCount) {
        self.parameters = parameters
        self.threads = max(1, threads)
    }

    /// Rows per band: about 16384 pixels, at least one row.
    var rowsPerBand: Int { max(1, min(parameters.height, 16384 / parameters.width)) }

    /// Renders the image; `consume` receives every row exactly once, top to bottom, on the
    /// calling thread. If `consume` throws, rendering stops and the error is rethrown.
    public func render<E: Error>(_ consume: (RowBand) throws(E) -> Void) throws(E) -> RenderStatistics {
        let plane = PixelPlane(parameters)
        let bandCount = (parameters.height + rowsPerBand - 1) / rowsPerBand
        if threads == 1 || parameters.maximumWork < Self.inlineWorkLimit || bandCount == 1 {
            return try renderInline(plane, consume)
        }
        let pipeline = BandPipeline(
            plane: plane, rowsPerBand: rowsPerBand, bandCount: bandCount, ringSize: 16 * threads)
        return try pipeline.run(threads: threads, consume)
    }

    private func renderInline<E: Error>(_ plane: PixelPlane, _ consume: (RowBand) throws(E) -> Void) throws(E)
        -> RenderStatistics
    {
        let bandPixels = rowsPerBand * plane.width
        let indices = UnsafeMutablePointer<Int32>.allocate(capacity: bandPixels)
        let rgb = UnsafeMutablePointer<UInt8>.allocate(capacity: bandPixels * 3)
        defer {
            indices.deallocate()
            rgb.deallocate()
        }
        var work = 0
        var row = 0
        while row < plane.height {
            let rows = min(rowsPerBand, plane.height - row)
            work += renderBand(plane, firstRow: row, rows: rows, indices: indices, rgb: rgb)
            try consume(RowBand(firstRow: row, rowCount: rows, bytes: .init(start: rgb, count: rows * plane.width * 3)))
            row += rows
        }
        return RenderStatistics(work: work)
    }
}

/// Renders `rows` rows from `firstRow` into `rgb`; returns the work done.
func renderBand(
    _ plane: PixelPlane, firstRow: Int, rows: Int, indices: UnsafeMutablePointer<Int32>, rgb: UnsafeMutablePointer<UInt8>
) -> Int {
    let start = firstRow * plane.width
    let count = rows * plane.width
    EscapeKernel.render(pixels: start, to: start + count, in: plane, indices: indices)
    return Palette.colour(indices, count: count, into: rgb)
}
