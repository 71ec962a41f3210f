import Foundation

extension SQLiteFractalStore {
    /// Where the PNG files are kept.
    public enum ImageStore: Hashable, Sendable {
        /// In the database, table `image` (as the original kept them). The default.
        case database
        /// One `<uuid>.png` file per completed fractal in this directory (created if
        /// missing). A file is written and renamed into place before the transaction that
        /// completes its fractal commits, so a crash leaves at most an orphan file, never a
        /// completed fractal without its image.
        case directory(path: String)
        /// Kept by the caller, in an object store every API shares
        /// (`ObjectImageFractalStore`): the database holds no image, and `image(_:)` is
        /// always nil.
        case outside

    }
}
