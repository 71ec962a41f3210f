import FaafoTestKit
import FaafoWire
import HostLab
import Foundation
import PostgresFractalStore
import Testing
@testable import FractalStore

/// What only a shared PostgreSQL database asks for: several stores (APIs) over one
/// database, start-up errors, migrations racing, and a server restart.
@Suite struct PostgresFractalStoreTests {
    @Test(.tags(.postgreSQL), .needs(.postgreSQL)) func manyStoresStartingAtOnceMigrateTheSchemaOnce() async throws {
        try await TestPostgres.withDatabase { endpoint in
            let stores = try await withThrowingTaskGroup(of: PostgresFractalStore.self) { group in
                for _ in 0..<6 { group.addTask { try await TestPostgres.store(endpoint, poolSize: 2) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            defer { stores.forEach { $0.close() } }
            _ = try await stores[0].insert(Sample.record(1))
            #expect(try await stores[5].fetch(Sample.uuid(1))?.uuid == Sample.uuid(1))
            #expect(try await stores[3].schemaVersions() == [1])
        }
    }

    @Test(.tags(.postgreSQL), .needs(.postgreSQL)) func aSchemaFromANewerVersionIsRefused() async throws {
        try await TestPostgres.withDatabase { endpoint in
            try await PostgresFractalStore(endpoint).close()
            try await TestPostgres.execute(
                "INSERT INTO faafo_schema (version, name) VALUES (99, 'from the future')", on: endpoint)
            let error = await #expect(throws: StoreError.self) { try await PostgresFractalStore(endpoint) }
            #expect(error?.message.contains("newer version of faafo") == true, "\(String(describing: error))")
        }
    }

    /// Two APIs over one database: forty results for one fractal at once, half through
    /// each, and a conflicting one. One completes it; the same result again changes
    /// nothing; the other checksum is a conflict.
    @Test(.tags(.postgreSQL), .needs(.postgreSQL))
    func twoStoresOverOneDatabaseCompleteAFractalExactlyOnce() async throws {
        try await TestPostgres.withDatabase { endpoint in
            let a = try await TestPostgres.store(endpoint, poolSize: 6)
            let b = try await TestPostgres.store(endpoint, poolSize: 6)
            defer {
                a.close()
                b.close()
            }
            _ = try await a.insert(Sample.record(1))
            let outcomes = try await withThrowingTaskGroup(of: CompleteOutcome.self) { group in
                for worker in 0..<40 {
                    let store = worker.isMultiple(of: 2) ? a : b
                    group.addTask {
                        try await store.complete(
                            Sample.uuid(1), with: Sample.result(generatedBy: "worker-\(worker)"), image: Sample.png(1))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let completed = outcomes.filter { if case .completed = $0 { true } else { false } }
            let duplicates = outcomes.filter { if case .duplicate = $0 { true } else { false } }
            #expect(completed.count == 1 && duplicates.count == 39)
            let stored = try #require(try await b.fetch(Sample.uuid(1)))
            #expect(stored.attempts == 1 && stored.status == .completed)
            #expect(try await b.complete(Sample.uuid(1), with: Sample.result(checksum: "other"), image: Sample.png(2))
                == .conflict(stored))
            #expect(try await a.image(Sample.uuid(1)) == Sample.png(1))
        }
    }

    /// Two APIs over one database, their images in one Swift container: what one stores,
    /// the other pages, fetches and serves; what one deletes is gone for the other, its
    /// image object too, and the pages' total counts it out at once.
    @Test(.tags(.postgreSQL, .objectStore), .needs(.postgreSQL, .objectStore))
    func twoStoresOverOneDatabaseSeeTheSamePagesAndDeletes() async throws {
        try await TestObjectStore.withObjects { objects, swift in
            try await TestPostgres.withDatabase { endpoint in
                let recordsA = try await TestPostgres.store(endpoint, poolSize: 4, keepsImages: false)
                let recordsB = try await TestPostgres.store(endpoint, poolSize: 4, keepsImages: false)
                defer {
                    recordsA.close()
                    recordsB.close()
                }
                let a = ObjectImageFractalStore(records: recordsA, objects: objects)
                let b = ObjectImageFractalStore(records: recordsB, objects: objects)
                for n in 1...12 { _ = try await (n.isMultiple(of: 2) ? a : b).insert(Sample.record(n)) }
                for n in 1...4 {
                    _ = try await a.complete(Sample.uuid(n), with: Sample.result(checksum: "sum\(n)"), image: Sample.png(UInt8(n)))
                }
                let pageA = try await a.page(2, perPage: 5)
                let pageB = try await b.page(2, perPage: 5)
                #expect(pageA.total == 12 && pageA.records == pageB.records)
                #expect(try await b.image(Sample.uuid(3)) == Sample.png(3))

                #expect(try await b.delete(Sample.uuid(3)))
                #expect(try await a.fetch(Sample.uuid(3)) == nil)
                #expect(try await a.image(Sample.uuid(3)) == nil)
                #expect(try await a.delete(Sample.uuid(3)) == false, "deleted once, by either")
                #expect(try await a.page(1, perPage: 20).records.map(\.uuid) == (1...12).filter { $0 != 3 }.map(Sample.uuid))
                #expect(try await b.page(1, perPage: 20).total == 11)
                let names = try await swift.objectNames(in: objects.container).sorted()
                #expect(names == [1, 2, 4].map { "\(Sample.uuid($0))/sum\($0).png" })
            }
        }
    }

    /// Two publishers (APIs) claiming one outbox at once never take the same fractal.
    @Test(.tags(.postgreSQL), .needs(.postgreSQL))
    func twoStoresOverOneDatabaseNeverClaimOneFractalTwice() async throws {
        try await TestPostgres.withDatabase { endpoint in
            let a = try await TestPostgres.store(endpoint, poolSize: 4)
            let b = try await TestPostgres.store(endpoint, poolSize: 4)
            defer {
                a.close()
                b.close()
            }
            for n in 1...200 { _ = try await a.insert(Sample.record(n)) }
            let claimed = try await claimEverything(
                from: [a, b], publishers: 6, limit: 5, at: Sample.epoch.addingTimeInterval(1000))
            #expect(claimed.count == 200 && Set(claimed).count == 200)
        }
    }

    @Test(.tags(.postgreSQL), .needs(.postgreSQL)) func aWrongPasswordIsAClearErrorWithoutThePassword() async throws {
        var endpoint = try TestPostgres.endpoint()
        endpoint.password = "not-the-password"
        let error = await #expect(throws: StoreError.self) { try await PostgresFractalStore(endpoint) }
        let message = error?.message ?? ""
        #expect(message.contains("password authentication failed"), "\(message)")
        #expect(!message.contains("not-the-password"), "\(message)")
    }

    @Test(.tags(.postgreSQL), .needs(.postgreSQL)) func aMissingDatabaseIsAClearError() async throws {
        let endpoint = try TestPostgres.endpoint(database: "faafo_no_such_database")
        let error = await #expect(throws: StoreError.self) { try await PostgresFractalStore(endpoint) }
        #expect(error?.message.contains("faafo_no_such_database\" does not exist") == true, "\(String(describing: error))")
    }

    @Test func anUnreachableServerIsAClearErrorSoon() async throws {
        let endpoint = PostgresEndpoint(host: "127.0.0.1", port: 1, username: "faafo", password: "x", database: "faafo")
        let started = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) {
            try await PostgresFractalStore(endpoint, operationTimeout: .seconds(3))
        }
        // Alone it fails at once (connection refused). Beside the whole suite on two cores,
        // where tests that block the cooperative pool's threads delay its timers, the answer
        // has come 7-13 s on; still far from the hang of a call without a deadline.
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(error?.message.contains("127.0.0.1:1") == true, "\(String(describing: error))")
    }
}
