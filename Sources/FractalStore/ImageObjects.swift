import Foundation

/// Images kept outside the database, one object a name: in an object store that every
/// API host shares (OpenStack Swift, `OpenStackSwiftObjects`). `ObjectImageFractalStore` puts a
/// fractal's image here before it completes the fractal's row.
///
/// Failures throw `StoreError` naming the object and what failed, so that the API answers
/// 503 and the worker sends its result again.
public protocol ImageObjects: Sendable {
    /// Stores `png` under `name`, replacing any object of that name. Once this returns, the
    /// object is whole and readable by every host; if it throws, the object is absent, the
    /// previous one, or whole. `sha256` (lowercase hex of the PNG's SHA-256) is kept with it.
    /// Of puts of one name at once, the one the store orders last is kept and each returns;
    /// a put that a newer removal of the name overtook throws.
    func put(_ png: Data, named name: String, sha256: String) async throws

    /// The object's bytes, or nil if there is no object of that name.
    func get(_ name: String) async throws -> Data?

    /// The object's bytes as they arrive, or nil if there is no object of that name. The
    /// default reads it whole with `get`.
    func chunks(of name: String) async throws -> ImageChunks?

    /// Removes the object; nothing happens if there is none.
    func remove(_ name: String) async throws

    /// Checks that the object store answers now (for a readiness probe); throws
    /// `StoreError` saying what does not. The default checks nothing.
    func checkAnswers() async throws

    /// Closes the connections; no call may follow.
    func shutdown() async throws
}

extension ImageObjects {
    public func checkAnswers() async throws {}

    public func chunks(of name: String) async throws -> ImageChunks? {
        try await get(name).map(ImageChunks.init(whole:))
    }
}
