/// Consecutive rows of the image, top row first, 3 bytes a pixel.
public struct RowBand {
    public let firstRow: Int
    public let rowCount: Int
    /// `rowCount * width * 3` bytes; valid only during the call that receives the band.
    public let bytes: UnsafeBufferPointer<UInt8>
}

/// What a render did, beyond its pixels.
public struct RenderStatistics: Hashable, Sendable {
    /// Escape-loop iterations run, summed over all pixels (index + 1 each).
    public var work: Int
}
