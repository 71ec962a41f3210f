import FaafoTestKit
import FaafoWire
import Foundation
import FractalCore
import HostLab
import GRDB
import Testing
@testable import FractalStore
import PostgresFractalStore
@testable import SQLiteFractalStore
import OpenStackSwiftObjects

/// The backends the contract suite runs against.
enum StoreBackend: CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    /// A WAL database in a temporary file, images in the database.
    case sqliteFile
    /// A WAL database in a temporary file, images in a temporary directory.
    case sqliteFileImageDirectory
    /// A database of its own on the test server (`TestPostgres`), images in it.
    case postgres
    /// A WAL database in a temporary file, images in a container of their own on the test
    /// Swift (`TestObjectStore`).
    case sqliteFileImagesInSwift
    /// A database of its own on the test server, images in a container on the test Swift.
    case postgresImagesInSwift

    var testDescription: String {
        switch self {
        case .memory: "memory"
        case .sqliteFile: "SQLite file, images in the database"
        case .sqliteFileImageDirectory: "SQLite file, images in a directory"
        case .postgres: "PostgreSQL, images in the database"
        case .sqliteFileImagesInSwift: "SQLite file, images in Swift"
        case .postgresImagesInSwift: "PostgreSQL, images in Swift"
        }
    }

    var keepsImagesInSwift: Bool { self == .sqliteFileImagesInSwift || self == .postgresImagesInSwift }

    /// What the backend needs beyond this process.
    var needs: [Need] {
        switch self {
        case .memory, .sqliteFile, .sqliteFileImageDirectory: []
        case .postgres: [.postgreSQL]
        case .sqliteFileImagesInSwift: [.objectStore]
        case .postgresImagesInSwift: [.postgreSQL, .objectStore]
        }
    }

    /// The backends the contract suites run on here: those whose servers answer (all of them
    /// under FAAFO_REQUIRE_SERVERS, where a missing one fails). A case of a parameterized test
    /// cannot be skipped on its own: `FractalStoreContractTests.runsOnPostgreSQL` and
    /// `runsWithImagesInTheObjectStore` report the backends left out.
    static let usable = allCases.filter { $0.needs.allSatisfy(\.runsHere) }
}

/// A store under test and the temporary files behind it.
struct StoreUnderTest: Sendable {
    let store: any FractalStore
    /// The temporary directory, removed after the test.
    let scratch: URL
    /// The image directory, for `.sqliteFileImageDirectory`.
    let imageDirectory: String?
    /// Images rows in the database (none for a store that keeps them elsewhere).
    let imageRows: @Sendable () async throws -> Int
    /// The names of the objects in the store's Swift container, for the Swift backends.
    let objectNames: (@Sendable () async throws -> [String])?

    init(
        store: any FractalStore, scratch: URL, imageDirectory: String? = nil,
        imageRows: @escaping @Sendable () async throws -> Int,
        objectNames: (@Sendable () async throws -> [String])? = nil
    ) {
        self.store = store
        self.scratch = scratch
        self.imageDirectory = imageDirectory
        self.imageRows = imageRows
        self.objectNames = objectNames
    }

    /// The file that holds a fractal's image, for a store that keeps them as files.
    func imageFile(_ uuid: String) -> String? { imageDirectory.map { "\($0)/\(uuid).png" } }
}

/// Runs `body` with a fresh store of `backend`, then removes its files (or its database).
func withStore<T>(
    _ backend: StoreBackend, _ body: (StoreUnderTest) async throws -> T
) async throws -> T {
    for need in backend.needs { try need.require() }
    guard backend.keepsImagesInSwift else { return try await withRecordStore(backend, body) }
    return try await TestObjectStore.withObjects { objects, swift in
        try await withRecordStore(backend) { records in
            let split = ObjectImageFractalStore(records: records.store, objects: objects)
            return try await body(
                StoreUnderTest(
                    store: split, scratch: records.scratch, imageRows: records.imageRows,
                    objectNames: { try await swift.objectNames(in: objects.container) }))
        }
    }
}

/// `withStore` for the store that keeps the records (and, but for the Swift backends,
/// the images).
private func withRecordStore<T>(
    _ backend: StoreBackend, _ body: (StoreUnderTest) async throws -> T
) async throws -> T {
    if backend == .postgres || backend == .postgresImagesInSwift {
        return try await TestPostgres.withDatabase { endpoint in
            let store = try await TestPostgres.store(endpoint, poolSize: 8, keepsImages: backend == .postgres)
            defer { store.close() }
            return try await withScratchDirectory { scratch in
                try await body(
                    StoreUnderTest(
                        store: store, scratch: scratch,
                        imageRows: { try await TestPostgres.count("SELECT COUNT(*) FROM image", on: endpoint) }))
            }
        }
    }
    return try await withScratchDirectory { scratch in
        let database = scratch.appendingPathComponent("faafo.db").path
        switch backend {
        case .memory:
            return try await body(StoreUnderTest(store: MemoryFractalStore(), scratch: scratch, imageRows: { 0 }))
        case .sqliteFile, .sqliteFileImagesInSwift:
            let store = try SQLiteFractalStore(
                .file(path: database), imageStore: backend == .sqliteFile ? .database : .outside)
            return try await body(StoreUnderTest(store: store, scratch: scratch, imageRows: { try await store.imageRows() }))
        case .sqliteFileImageDirectory:
            let images = scratch.appendingPathComponent("images").path
            let store = try SQLiteFractalStore(.file(path: database), imageStore: .directory(path: images))
            return try await body(
                StoreUnderTest(
                    store: store, scratch: scratch, imageDirectory: images, imageRows: { try await store.imageRows() }))
        case .postgres, .postgresImagesInSwift:
            preconditionFailure("handled above")
        }
    }
}

/// `publishers` tasks claiming from `stores` (in turn) at once, `limit` at a time, until
/// nothing is left; every uuid each claim returned.
func claimEverything(
    from stores: [any FractalStore], publishers: Int, limit: Int, at now: Date
) async throws -> [String] {
    try await withThrowingTaskGroup(of: [String].self) { group in
        for publisher in 0..<publishers {
            let store = stores[publisher % stores.count]
            group.addTask {
                var mine: [String] = []
                while true {
                    let batch = try await store.claimUnpublished(
                        limit: limit, createdBefore: now, now: now, until: now.addingTimeInterval(60))
                    if batch.isEmpty { return mine }
                    mine += batch.map(\.uuid)
                }
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
}

/// Records, results and images built from small numbers, so that tests read plainly.
enum Sample {
    /// 2023-11-14 22:13:20 UTC, with a fraction no Double holds exactly.
    static let epoch = Date(timeIntervalSince1970: 1_700_000_000.123_456_7)

    /// A uuid that sorts by `n` (for n < 10^12).
    static func uuid(_ n: Int) -> String {
        let digits = String(n)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    }

    /// Fractal `n`, created `second` seconds after `epoch` (n by default).
    static func record(_ n: Int, second: Double? = nil, seed: UInt64? = nil) -> FractalRecord {
        FractalRecord(
            uuid: uuid(n),
            fractal: FractalRequest(
                width: 256 + n, height: 300 + n, iterations: 128 + n, xa: -1.77488588389, xb: 3.08249829401,
                ya: -1.31213919301, yb: 1.95281690897, cx: n.isMultiple(of: 2) ? -0.4 : nil,
                cy: n.isMultiple(of: 2) ? 0.6 : nil, seed: seed ?? UInt64(n)),
            createdAt: epoch.addingTimeInterval(second ?? Double(n)))
    }

    static func result(checksum: String = "c0ffee", generatedBy: String = "worker-1") -> FractalResult {
        FractalResult(
            duration: 4.163147, size: 2048, checksum: checksum, pixelChecksum: "p1x3l",
            generatedBy: generatedBy, completedAt: epoch.addingTimeInterval(3600.000_000_3))
    }

    /// `count` bytes that start like a PNG and differ by `variant`.
    static func png(_ variant: UInt8 = 0, count: Int = 2048) -> Data {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        bytes += (0..<max(0, count - bytes.count)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(variant)) }
        return Data(bytes)
    }
}

extension InsertOutcome {
    var record: FractalRecord {
        switch self {
        case .inserted(let r), .exists(let r): r
        }
    }
}
