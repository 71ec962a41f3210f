import FaafoWire
import Foundation
import Synchronization

/// Fractals in memory, for tests and the simulator: the same answers as
/// `SQLiteFractalStore` (the contract suite runs against both), values kept as SQLite keeps
/// them, and every result in a fixed order whatever the process's hashing seed.
///
/// Each call holds one lock for its whole effect, so calls are atomic and serializable.
public final class MemoryFractalStore: FractalStore {
    private struct State {
        var records: [String: FractalRecord] = [:]
        var images: [String: Data] = [:]
        /// Every uuid, sorted as the pages are: created_at, then the uuid's UTF-8 bytes
        /// (SQLite's BINARY collation).
        var order: [Key] = []
        /// Outbox claims: until when each claimed uuid is taken.
        var claims: [String: Date] = [:]
    }

    private struct Key: Comparable {
        var createdAt: Date
        var uuid: String

        init(_ record: FractalRecord) {
            createdAt = record.createdAt
            uuid = record.uuid
        }

        static func < (a: Key, b: Key) -> Bool {
            if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
            return a.uuid.utf8.lexicographicallyPrecedes(b.uuid.utf8)
        }
    }

    private let state = Mutex(State())

    public init() {}

    public func insert(_ record: FractalRecord) async throws -> InsertOutcome {
        let stored = try record.storedForInsert()
        return state.withLock { state in
            if let existing = state.records[stored.uuid] { return .exists(existing) }
            state.records[stored.uuid] = stored
            let key = Key(stored)
            state.order.insert(key, at: Self.insertionIndex(of: key, in: state.order))
            return .inserted(stored)
        }
    }

    public func fetch(_ uuid: String) async throws -> FractalRecord? {
        state.withLock { $0.records[uuid] }
    }

    public func page(_ page: Int, perPage: Int) async throws -> (records: [FractalRecord], total: Int) {
        state.withLock { state in
            let total = state.order.count
            guard let offset = StoredValue.offset(ofPage: page, perPage: perPage), offset < total else {
                return ([], total)
            }
            let keys = state.order[offset..<min(total, offset + min(perPage, total))]
            return (keys.map { state.records[$0.uuid]! }, total)
        }
    }

    public func markPublished(_ uuid: String) async throws {
        state.withLock { state in
            state.records[uuid]?.published = true
            state.claims[uuid] = nil
        }
    }

    public func claimUnpublished(limit: Int, createdBefore cutoff: Date, now: Date, until: Date) async throws
        -> [FractalRecord]
    {
        guard limit > 0 else { return [] }
        let until = StoredValue.date(until)
        return state.withLock { state in
            var found: [FractalRecord] = []
            for key in state.order {
                guard key.createdAt < cutoff else { break }
                let record = state.records[key.uuid]!
                if record.published { continue }
                if let claim = state.claims[key.uuid], claim > now { continue }
                state.claims[key.uuid] = until
                found.append(record)
                if found.count == limit { break }
            }
            return found
        }
    }

    public func releaseClaim(_ uuid: String) async throws {
        state.withLock { state in state.claims[uuid] = nil }
    }

    public func unpublished(limit: Int) async throws -> [FractalRecord] {
        guard limit > 0 else { return [] }
        return state.withLock { state in
            var found: [FractalRecord] = []
            for key in state.order {
                let record = state.records[key.uuid]!
                if !record.published { found.append(record) }
                if found.count == limit { break }
            }
            return found
        }
    }

    public func unpublishedCount() async throws -> Int {
        state.withLock { state in state.records.values.count { !$0.published } }
    }

    public func complete(_ uuid: String, with result: FractalResult, image: Data) async throws -> CompleteOutcome {
        try state.withLock { state in
            guard let current = state.records[uuid] else { return .notFound }
            switch try current.completing(with: result) {
            case .unchanged(let outcome): return outcome
            case .store(let done):
                state.records[uuid] = done
                state.images[uuid] = image
                return .completed(done)
            }
        }
    }

    public func fail(_ uuid: String, reason: String, by worker: String, at date: Date) async throws -> FailOutcome {
        state.withLock { state in
            guard let current = state.records[uuid] else { return .notFound }
            switch current.failing(reason: reason, by: worker, at: date) {
            case .unchanged(let outcome): return outcome
            case .store(let failed):
                state.records[uuid] = failed
                return .markedFailed(failed)
            }
        }
    }

    public func image(_ uuid: String) async throws -> Data? {
        state.withLock { state in
            state.records[uuid]?.status == .completed ? state.images[uuid] : nil
        }
    }

    public func delete(_ uuid: String) async throws -> Bool {
        state.withLock { state in
            guard let record = state.records.removeValue(forKey: uuid) else { return false }
            state.images[uuid] = nil
            state.claims[uuid] = nil
            let key = Key(record)
            let index = Self.insertionIndex(of: key, in: state.order)
            precondition(index < state.order.count && state.order[index] == key, "the order index lost \(uuid)")
            state.order.remove(at: index)
            return true
        }
    }

    /// The first index whose key is not less than `key` (binary search).
    private static func insertionIndex(of key: Key, in order: [Key]) -> Int {
        var low = 0
        var high = order.count
        while low < high {
            let middle = (low + high) / 2
            if order[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
