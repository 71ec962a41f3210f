import Foundation

/// A store whose images live in an object store (`ImageObjects`) that every API host
/// shares, while the fractals live in `records`, a store that keeps no image of its own
/// (SQLite's `.outside`, PostgreSQL's `keepsImages: false`).
///
/// A fractal's image is named `<uuid>/<checksum>.png`, so the row names exactly the object
/// that belongs to it. `complete` puts the object before it completes the row: no fractal
/// is ever completed without its image, and a failed upload leaves the fractal pending (the
/// API answers 503, the worker sends its result again). What a crash or a lost race leaves
/// behind is an object no row names, never a row without its object:
/// - a result that loses to a conflicting one stored meanwhile: its object is removed;
/// - a fractal deleted while its result was uploading: the object is removed;
/// - a crash between the upload and the commit: the object stays, unnamed (the same
///   result sent again reuses it).
public final class ObjectImageFractalStore: FractalStore {
    public let records: any FractalStore
    public let objects: any ImageObjects

    public init(records: any FractalStore, objects: any ImageObjects) {
        self.records = records
        self.objects = objects
    }

    /// Closes the object store's connections, then the records' store (even when the
    /// first fails); no call may follow.
    public func shutdown() async throws {
        var failure: (any Error)?
        do { try await objects.shutdown() } catch { failure = error }
        try await records.shutdown()
        if let failure { throw failure }
    }

    /// The object that holds the image of a fractal completed with `checksum`.
    public static func objectName(uuid: String, checksum: String) -> String {
        "\(uuid)/\(checksum).png"
    }

    public func complete(_ uuid: String, with result: FractalResult, image: Data) async throws -> CompleteOutcome {
        guard let current = try await records.fetch(uuid) else { return .notFound }
        // A completed fractal changes no more: nothing to upload.
        if case .unchanged(let outcome) = try current.completing(with: result) { return outcome }

        let name = Self.objectName(uuid: uuid, checksum: result.checksum)
        try await objects.put(image, named: name, sha256: result.checksum)
        let outcome = try await records.complete(uuid, with: result, image: Data())
        switch outcome {
        case .completed, .duplicate:
            break
        case .conflict, .notFound:
            // Another result won meanwhile, or the fractal is gone: no row names this object.
            try? await objects.remove(name)
        }
        return outcome
    }

    public func image(_ uuid: String) async throws -> Data? {
        try await imageChunks(uuid)?.collect()
    }

    /// The object as the object store sends it, without holding it whole.
    public func imageChunks(_ uuid: String) async throws -> ImageChunks? {
        guard let record = try await records.fetch(uuid), record.status == .completed,
            let checksum = record.checksum
        else { return nil }
        let name = Self.objectName(uuid: uuid, checksum: checksum)
        guard let chunks = try await objects.chunks(of: name) else {
            throw StoreError("fractal \(uuid) is completed but its image object '\(name)' is missing")
        }
        return chunks
    }

    /// Removes the row, then the object. A failure to remove the object is not the
    /// caller's: the deletion is committed, and the object is left unnamed.
    public func delete(_ uuid: String) async throws -> Bool {
        let record = try await records.fetch(uuid)
        guard try await records.delete(uuid) else { return false }
        if let checksum = record?.checksum {
            try? await objects.remove(Self.objectName(uuid: uuid, checksum: checksum))
        }
        return true
    }

    // Everything else is the records' alone.

    public func insert(_ record: FractalRecord) async throws -> InsertOutcome { try await records.insert(record) }

    public func fetch(_ uuid: String) async throws -> FractalRecord? { try await records.fetch(uuid) }

    public func page(_ page: Int, perPage: Int) async throws -> (records: [FractalRecord], total: Int) {
        try await records.page(page, perPage: perPage)
    }

    public func markPublished(_ uuid: String) async throws { try await records.markPublished(uuid) }

    public func unpublished(limit: Int) async throws -> [FractalRecord] { try await records.unpublished(limit: limit) }

    public func unpublishedCount() async throws -> Int { try await records.unpublishedCount() }

    public func claimUnpublished(limit: Int, createdBefore cutoff: Date, now: Date, until: Date) async throws
        -> [FractalRecord]
    {
        try await records.claimUnpublished(limit: limit, createdBefore: cutoff, now: now, until: until)
    }

    public func releaseClaim(_ uuid: String) async throws { try await records.releaseClaim(uuid) }

    public func fail(_ uuid: String, reason: String, by worker: String, at date: Date) async throws -> FailOutcome {
        try await records.fail(uuid, reason: reason, by: worker, at: date)
    }
}
