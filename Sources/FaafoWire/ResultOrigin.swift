/// Whether a stored result was made by the render contract.
///
/// The original faafo worker draws c at random, encodes with PIL and reports no
/// `pixel_checksum`. The API accepts such a result when its SHA-256 and size match its
/// image, and stores and serves it as it is; but no checksum computed elsewhere can judge
/// it, so the checkers (`faafo verify`, the simulator's and the cluster runner's) report it
/// as not made by the render contract rather than as a wrong checksum.
public enum ResultOrigin {
    /// How reports name such a result.
    public static let outsideContract = "not made by the render contract"

    /// True for a completed fractal whose result has no pixel checksum.
    public static func isOutsideContract(status: FractalStatus, pixelChecksum: String?) -> Bool {
        status == .completed && pixelChecksum == nil
    }
}

extension FractalObject {
    /// Completed by a worker that does not follow the render contract (see `ResultOrigin`).
    public var isOutsideRenderContract: Bool {
        ResultOrigin.isOutsideContract(status: status, pixelChecksum: pixelChecksum)
    }
}
