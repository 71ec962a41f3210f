import Foundation

/// Where fractals and their images are kept. Backends: `SQLiteFractalStore` (GRDB, the
/// embedded default), `PostgresFractalStore` (its own module: a database shared by many
/// APIs) and `MemoryFractalStore` (tests and the simulator).
///
/// Every method is atomic: a failure leaves the store as it was, and no reader ever sees
/// a half-written fractal (a completed record without its image, say). Failures throw
/// `StoreError` (or `CancellationError` if the task is cancelled while waiting).
///
/// Values come back as stored, which is not always bit for bit as given: dates as
/// seconds since 1970 in a Double (within a quarter of a microsecond today), -0.0 as 0.0.
/// The records that `insert` and `complete` return are the stored values, equal to what
/// `fetch` returns afterwards. A non-finite number (NaN, an infinity) is refused with a
/// `StoreError`. `seed` round-trips exactly, all 64 bits.
public protocol FractalStore: Sendable {
    /// Stores a new pending fractal. If one with the same uuid exists, nothing changes and
    /// the existing record is returned in `.exists`.
    ///
    /// The stored record is always pending, with no result and `attempts` 0, whatever
    /// `record` says; its `published` flag is kept. `.inserted` carries the stored record.
    func insert(_ record: FractalRecord) async throws -> InsertOutcome

    /// The fractal with this uuid, or nil.
    func fetch(_ uuid: String) async throws -> FractalRecord?

    /// Page `page` (1-based) of all fractals, oldest first (created_at, then uuid), and the
    /// total count. Both come from one snapshot. A page past the end, `page < 1` or
    /// `perPage < 1` gives no records (and still the total).
    func page(_ page: Int, perPage: Int) async throws -> (records: [FractalRecord], total: Int)

    /// Records that the fractal's task message was confirmed by the queue, ending any claim
    /// on it. Does nothing if there is no such fractal (it may have been deleted meanwhile).
    func markPublished(_ uuid: String) async throws

    /// Fractals whose task message was never confirmed (the outbox), oldest first
    /// (created_at, then uuid), at most `limit` of them (none if `limit < 1`). Claims play
    /// no part here: this is what is left to publish, whoever is publishing it.
    func unpublished(limit: Int) async throws -> [FractalRecord]

    /// How many fractals `unpublished` would return without a limit: the outbox's depth,
    /// which operators watch. Counted from the outbox's index, so cheap however large the
    /// store.
    func unpublishedCount() async throws -> Int

    /// Claims outbox fractals for one publisher, so that several APIs over one store never
    /// publish the same rows at once: at most `limit` unpublished fractals created before
    /// `cutoff` that no live claim holds (none, or one that ended at or before `now`),
    /// oldest first (created_at, then uuid), each now claimed until `until`. A claim ends
    /// with `markPublished`, with `releaseClaim`, or when its time is up: a publisher that
    /// dies leaves nothing behind for longer than its lease. Concurrent calls never return
    /// the same fractal while its claim lasts. None if `limit < 1`.
    func claimUnpublished(limit: Int, createdBefore cutoff: Date, now: Date, until: Date) async throws
        -> [FractalRecord]

    /// Ends the claim on a fractal at once (its publish failed; the next pass may retry).
    /// Does nothing if there is no such fractal or no claim.
    func releaseClaim(_ uuid: String) async throws

    /// Stores a result and its PNG in one step. A pending fractal becomes completed, with
    /// every result field, `attempts` + 1 and the image (`.completed`); for a completed one
    /// nothing changes: with the same checksum it is `.duplicate` (docs/wire-contract.md:
    /// the same result again changes nothing), with another `.conflict` (the caller reports the
    /// determinism violation); both carry the stored record. `.notFound` if there is no such fractal. Concurrent calls for one uuid
    /// are serialized: exactly one can complete it.
    ///
    /// The store does not check the image against `result` (its size, its checksum): the
    /// caller does.
    func complete(_ uuid: String, with result: FractalResult, image: Data) async throws -> CompleteOutcome

    /// Marks a fractal failed: a worker gave it up for good (it cannot be rendered, or the
    /// API refused its result), with `reason`, and `worker` as its `generatedBy`. A pending
    /// fractal becomes `.failed` (`.markedFailed`); a failed one keeps its first failure
    /// (`.alreadyFailed`); a completed one stays completed (`.alreadyCompleted`): a result
    /// outranks a failure, and `complete` also completes a failed fractal.
    func fail(_ uuid: String, reason: String, by worker: String, at date: Date) async throws -> FailOutcome

    /// The PNG of a completed fractal, exactly as `complete` received it; nil while pending
    /// or unknown.
    func image(_ uuid: String) async throws -> Data?

    /// The PNG of a completed fractal as it arrives from where it is kept, chunk by chunk,
    /// with its length; nil while pending or unknown. Stores that hold images in memory or
    /// in their database answer with `image(_:)` in one chunk (the default).
    func imageChunks(_ uuid: String) async throws -> ImageChunks?

    /// Removes the fractal and its image. Returns false if there was none.
    func delete(_ uuid: String) async throws -> Bool

    /// Closes what the store holds open (database connections, a pool, an object store's
    /// HTTP client); no call may follow. A store that holds nothing open does nothing (the
    /// default).
    func shutdown() async throws
}

extension FractalStore {
    public func shutdown() async throws {}

    public func imageChunks(_ uuid: String) async throws -> ImageChunks? {
        try await image(uuid).map(ImageChunks.init(whole:))
    }
}

/// An image on its way: its length in bytes, and its bytes in chunks, each handed over
/// once the one before has been taken (so a slow reader holds back the source, and the
/// image is never held whole). Reading may fail partway with the source's error.
public struct ImageChunks: Sendable {
    public let length: Int
    /// Hands each chunk to `body` in order, waiting for it before reading the next.
    public let forEachChunk: @Sendable (_ body: (Data) async throws -> Void) async throws -> Void

    public init(length: Int, forEachChunk: @escaping @Sendable (_ body: (Data) async throws -> Void) async throws -> Void) {
        self.length = length
        self.forEachChunk = forEachChunk
    }

    /// Bytes at hand, as one chunk.
    public init(whole data: Data) {
        length = data.count
        forEachChunk = { body in try await body(data) }
    }

    /// Every chunk, joined.
    public func collect() async throws -> Data {
        var data = Data(capacity: length)
        try await forEachChunk { data.append($0) }
        return data
    }
}

public enum InsertOutcome: Hashable, Sendable {
    case inserted(FractalRecord)
    case exists(FractalRecord)
}

public enum FailOutcome: Hashable, Sendable {
    case markedFailed(FractalRecord)
    case alreadyFailed(FractalRecord)
    case alreadyCompleted(FractalRecord)
    case notFound
}

public enum CompleteOutcome: Hashable, Sendable {
    /// The result was stored; the record as it is now.
    case completed(FractalRecord)
    /// The fractal was already completed with this checksum; nothing changed.
    case duplicate(FractalRecord)
    /// The fractal was completed with another checksum; nothing changed (not even
    /// `attempts`). The record as stored.
    case conflict(FractalRecord)
    case notFound
}

/// A failure of the store itself (I/O, a corrupt database), not of the request.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
