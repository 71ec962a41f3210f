import CPNGWriter

/// The versions of libpng and zlib this process encodes with. The PNG checksum is only
/// stable for one zlib build, so it is recorded beside every stored checksum.
public struct PNGLibraries: Codable, Hashable, Sendable, CustomStringConvertible {
    public var libpng: String
    public var zlib: String

    public init(libpng: String, zlib: String) {
        self.libpng = libpng
        self.zlib = zlib
    }

    public static let current = PNGLibraries(
        libpng: String(cString: cpng_libpng_version()), zlib: String(cString: cpng_zlib_version()))

    public var description: String { "libpng \(libpng), zlib \(zlib)" }
}
