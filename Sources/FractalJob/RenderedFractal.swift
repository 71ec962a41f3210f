import Foundation
import FractalCore
import FractalPNG

/// A finished fractal: the PNG file and what a worker reports about it.
public struct RenderedFractal: Sendable {
    public let parameters: FractalParameters
    /// The PNG file's bytes.
    public let png: Data
    /// SHA-256 of the PNG file, lowercase hex: faafo's `checksum`.
    public let checksum: String
    /// SHA-256 of the raw RGB pixels, lowercase hex: the same on every platform.
    public let pixelChecksum: String
    /// Seconds the whole task took: render, encode, both checksums.
    public let duration: Double
    /// Escape-loop iterations run over all pixels.
    public let work: Int
    /// The libraries that made `png`, which `checksum` depends on.
    public let encoder: PNGLibraries

    public var size: Int { png.count }
}
