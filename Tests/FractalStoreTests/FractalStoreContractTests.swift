import FaafoTestKit
import FaafoWire
import Foundation
import Testing
@testable import FractalStore

/// What every `FractalStore` backend must do, run against each of them (each of
/// `StoreBackend.usable`: those on PostgreSQL and with images in the object store where
/// those servers answer).
@Suite(.tags(.postgreSQL, .objectStore)) struct FractalStoreContractTests {
    /// Where the PostgreSQL test server does not answer, `StoreBackend.usable` leaves its
    /// backends out of the arguments of this suite and of `FailureTests` (a case of a
    /// parameterized test cannot be skipped on its own), and this test is skipped in their
    /// place, saying why; where it answers, it checks that they are among them.
    @Test(.needs(.postgreSQL)) func runsOnPostgreSQL() {
        #expect(StoreBackend.usable.contains(.postgres))
    }

    /// The same for the backends that keep their images in the object store.
    @Test(.needs(.objectStore)) func runsWithImagesInTheObjectStore() {
        #expect(StoreBackend.usable.contains(.sqliteFileImagesInSwift))
    }

    // MARK: insert and fetch

    @Test(arguments: StoreBackend.usable)
    func insertStoresAPendingFractalAndReturnsItAsFetched(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            let outcome = try await t.store.insert(Sample.record(1))
            guard case .inserted(let stored) = outcome else {
                Issue.record("expected .inserted, got \(outcome)")
                return
            }
            #expect(stored.uuid == Sample.uuid(1))
            #expect(stored.status == .pending)
            #expect(stored.attempts == 0)
            #expect(stored.published == false)
            #expect(stored.checksum == nil && stored.completedAt == nil)
            #expect(try await t.store.fetch(Sample.uuid(1)) == stored)
        }
    }

    @Test(arguments: StoreBackend.usable)
    func insertIgnoresResultFieldsButKeepsThePublishedFlag(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            var record = Sample.record(1)
            record.status = .completed
            record.checksum = "forged"
            record.attempts = 9
            record.completedAt = Sample.epoch
            record.published = true
            let stored = try await t.store.insert(record).record
            #expect(stored.status == .pending)
            #expect(stored.checksum == nil && stored.completedAt == nil && stored.attempts == 0)
            #expect(stored.published == true)
            #expect(try await t.store.fetch(Sample.uuid(1)) == stored)
            #expect(try await t.store.image(Sample.uuid(1)) == nil)
        }
    }

    @Test(arguments: StoreBackend.usable)
    func insertingAnExistingUUIDChangesNothingAndReturnsTheStoredFractal(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            let first = try await t.store.insert(Sample.record(1)).record
            var other = Sample.record(1)
            other.fractal.width = 999
            other.fractal.seed = 12345
            #expect(try await t.store.insert(other) == .exists(first))
            #expect(try await t.store.insert(Sample.record(1)) == .exists(first))
            #expect(try await t.store.fetch(Sample.uuid(1)) == first)
            #expect(try await t.store.page(1, perPage: 10).total == 1)
        }
    }

    @Test(arguments: StoreBackend.usable)
    func fetchingAnUnknownUUIDGivesNil(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            #expect(try await t.store.fetch(Sample.uuid(1)) == nil)
            _ = try await t.store.insert(Sample.record(1))
            #expect(try await t.store.fetch(Sample.uuid(2)) == nil)
        }
    }

    // MARK: values round-trip

    @Test(arguments: StoreBackend.usable)
    func seedsRoundTripAllSixtyFourBits(_ backend: StoreBackend) async throws {
        let seeds: [UInt64?] = [0, 1, 42, 1 << 62, (1 << 63) - 1, 1 << 63, (1 << 63) + 1, 0xDEAD_BEEF_CAFE_F00D, .max, nil]
        try await withStore(backend) { t in
            for (n, seed) in seeds.enumerated() {
                var record = Sample.record(n)
                record.fractal.seed = seed
                let stored = try await t.store.insert(record).record
                #expect(stored.fractal.seed == seed)
                #expect(try await t.store.fetch(record.uuid)?.fractal.seed == seed, "seed \(String(describing: seed))")
            }
            // And in the order they were created, from a page and from the outbox too.
            #expect(try await t.store.page(1, perPage: 100).records.map(\.fractal.seed) == seeds)
            #expect(try await t.store.unpublished(limit: 100).map(\.fractal.seed) == seeds)
        }
    }

    @Test(arguments: StoreBackend.usable)
    func datesRoundTripWithinAMicrosecondAndExactlyOnceStored(_ backend: StoreBackend) async throws {
        let dates = [
            Sample.epoch,
            Date(timeIntervalSince1970: 1_700_000_000.123_456),
            Date(timeIntervalSinceReferenceDate: 754_000_000.987_654_321),
            Date(timeIntervalSince1970: 0),
            Date(timeIntervalSince1970: -86_400.5),
            Date(timeIntervalSince1970: 4_102_444_800.000_001),  // 2100
        ]
        try await withStore(backend) { t in
            for (n, date) in dates.enumerated() {
                var record = Sample.record(n)
                record.createdAt = date
                let stored = try await t.store.insert(record).record
                #expect(abs(stored.createdAt.timeIntervalSince(date)) < 1e-6)
                #expect(try await t.store.fetch(record.uuid)?.createdAt == stored.createdAt)
                // Storing a stored date again changes nothing.
                var again = record
                again.uuid = Sample.uuid(100 + n)
                again.createdAt = stored.createdAt
                #expect(try await t.store.insert(again).record.createdAt == stored.createdAt)

                var result = Sample.result()
                result.completedAt = date
                guard case .completed(let done) = try await t.store.complete(record.uuid, with: result, image: Sample.png())
                else {
                    Issue.record("not completed")
                    continue
                }
                let completedAt = try #require(done.completedAt)
                #expect(abs(completedAt.timeIntervalSince(date)) < 1e-6)
                #expect(try await t.store.fetch(record.uuid)?.completedAt == completedAt)
            }
        }
    }

    @Test(arguments: StoreBackend.usable)
    func numbersRoundTripAndNegativeZeroReadsBackAsZero(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            var record = Sample.record(1)
            record.fractal.xa = -3.999_999_999_999_999_6
            record.fractal.xb = .leastNonzeroMagnitude
            record.fractal.ya = -.greatestFiniteMagnitude
            record.fractal.yb = 0.1 + 0.2
            record.fractal.cx = -0.0
            record.fractal.cy = 1e-300
            record.fractal.width = Int(Int32.max)
            let stored = try await t.store.insert(record).record
            let fetched = try #require(try await t.store.fetch(record.uuid))
            #expect(fetched == stored)
            #expect(fetched.fractal.xa == record.fractal.xa && fetched.fractal.xb == record.fractal.xb && fetched.fractal.ya == record.fractal.ya)
            #expect(fetched.fractal.yb == record.fractal.yb && fetched.fractal.cy == record.fractal.cy && fetched.fractal.width == record.fractal.width)
            #expect(fetched.fractal.cx == 0 && fetched.fractal.cx?.sign == .plus)
        }
    }

    @Test(arguments: StoreBackend.usable)
    func nonFiniteNumbersAreRefusedAndNothingIsStored(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            var record = Sample.record(1)
            record.fractal.cx = .nan
            await #expect(throws: StoreError.self) { try await t.store.insert(record) }
            #expect(try await t.store.fetch(record.uuid) == nil)

            _ = try await t.store.insert(Sample.record(2))
            var result = Sample.result()
            result.duration = .infinity
            await #expect(throws: StoreError.self) {
                try await t.store.complete(Sample.uuid(2), with: result, image: Sample.png())
            }
            #expect(try await t.store.fetch(Sample.uuid(2))?.status == .pending)
            #expect(try await t.store.image(Sample.uuid(2)) == nil)
        }
    }

    // MARK: pages

    @Test(arguments: StoreBackend.usable)
    func anEmptyStoreHasNoPagesAndATotalOfZero(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            let page = try await t.store.page(1, perPage: 10)
            #expect(page.records.isEmpty)
            #expect(page.total == 0)
            #expect(try await t.store.unpublished(limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreBackend.usable)
    func pagesRunOldestFirstThenByUUIDWithTheTotal(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            // Inserted out of order; 3, 5 and 6 were created in the same instant.
            let created: [(n: Int, second: Double)] = [(4, 40), (6, 30), (1, 10), (3, 30), (7, 70), (2, 20), (5, 30)]
            for (n, second) in created {
                _ = try await t.store.insert(Sample.record(n, second: second))
            }
            let expected = [1, 2, 3, 5, 6, 4, 7].map(Sample.uuid)

            let first = try await t.store.page(1, perPage: 3)
            let second = try await t.store.page(2, perPage: 3)
            let last = try await t.store.page(3, perPage: 3)
            let past = try await t.store.page(4, perPage: 3)
            #expect(first.records.map(\.uuid) == Array(expected[0..<3]))
            #expect(second.records.map(\.uuid) == Array(expected[3..<6]))
            #expect(last.records.map(\.uuid) == [expected[6]])  // the last page is partial
            #expect(past.records.isEmpty)
            #expect([first.total, second.total, last.total, past.total] == Array(repeating: 7, count: 4))

            #expect(try await t.store.page(1, perPage: 7).records.map(\.uuid) == expected)
            #expect(try await t.store.page(1, perPage: 100).records.map(\.uuid) == expected)
            #expect(try await t.store.page(7, perPage: 1).records.map(\.uuid) == [expected[6]])
            // Records in pages are the whole records.
            #expect(try await t.store.page(1, perPage: 1).records == [try await t.store.fetch(expected[0])!])
        }
    }

    @Test(arguments: StoreBackend.usable)
    func meaninglessPagesAreEmptyButCountTheTotal(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            for n in 1...3 { _ = try await t.store.insert(Sample.record(n)) }
            for (page, perPage) in [(0, 10), (-1, 10), (1, 0), (1, -5), (Int.max, 2), (2, Int.max), (Int.min, Int.max)] {
                let result = try await t.store.page(page, perPage: perPage)
                #expect(result.records.isEmpty, "page \(page), \(perPage) a page")
                #expect(result.total == 3)
            }
            #expect(try await t.store.page(1, perPage: .max).records.count == 3)
        }
    }

    // MARK: the outbox

    @Test(arguments: StoreBackend.usable)
    func theOutboxListsUnpublishedFractalsOldestFirstUntilTheyArePublished(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            for n in [3, 1, 4, 2, 5] { _ = try await t.store.insert(Sample.record(n)) }
            #expect(try await t.store.unpublished(limit: 10).map(\.uuid) == [1, 2, 3, 4, 5].map(Sample.uuid))
            #expect(try await t.store.unpublished(limit: 2).map(\.uuid) == [1, 2].map(Sample.uuid))
            #expect(try await t.store.unpublished(limit: 0).isEmpty)
            #expect(try await t.store.unpublished(limit: -1).isEmpty)

            try await t.store.markPublished(Sample.uuid(2))
            try await t.store.markPublished(Sample.uuid(1))
            try await t.store.markPublished(Sample.uuid(1))  // twice is once
            #expect(try await t.store.unpublished(limit: 2).map(\.uuid) == [3, 4].map(Sample.uuid))
            #expect(try await t.store.fetch(Sample.uuid(1))?.published == true)
            #expect(try await t.store.fetch(Sample.uuid(3))?.published == false)
            // Publishing changes nothing else, nor the pages.
            var expected = try await t.store.insert(Sample.record(2)).record
            expected.published = true
            #expect(try await t.store.fetch(Sample.uuid(2)) == expected)
            #expect(try await t.store.page(1, perPage: 10).records.map(\.uuid) == [1, 2, 3, 4, 5].map(Sample.uuid))

            for n in 3...5 { try await t.store.markPublished(Sample.uuid(n)) }
            #expect(try await t.store.unpublished(limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreBackend.usable)
    func markingAnUnknownFractalPublishedDoesNothing(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            _ = try await t.store.insert(Sample.record(1))
            try await t.store.markPublished(Sample.uuid(9))
            #expect(try await t.store.fetch(Sample.uuid(9)) == nil)
            #expect(try await t.store.unpublished(limit: 10).map(\.uuid) == [Sample.uuid(1)])
        }
    }

    @Test(arguments: StoreBackend.usable)
    func completingDoesNotPublish(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            _ = try await t.store.insert(Sample.record(1))
            _ = try await t.store.complete(Sample.uuid(1), with: Sample.result(), image: Sample.png())
            #expect(try await t.store.unpublished(limit: 10).map(\.uuid) == [Sample.uuid(1)])
        }
    }

    @Test(arguments: StoreBackend.usable)
    func claimsTakeOldUnclaimedFractalsOldestFirstUntilTheirLeaseEnds(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            for n in [3, 1, 4, 2, 5, 9] { _ = try await t.store.insert(Sample.record(n)) }
            let cutoff = Sample.epoch.addingTimeInterval(9)  // fractal 9 is too young
            let now = Sample.epoch.addingTimeInterval(100)
            let until = now.addingTimeInterval(30)
            func claim(_ limit: Int, at now: Date) async throws -> [String] {
                try await t.store.claimUnpublished(
                    limit: limit, createdBefore: cutoff, now: now, until: now.addingTimeInterval(30)
                ).map(\.uuid)
            }
            #expect(try await claim(2, at: now) == [1, 2].map(Sample.uuid))
            #expect(try await claim(2, at: now) == [3, 4].map(Sample.uuid))
            #expect(try await claim(0, at: now).isEmpty)
            #expect(try await claim(10, at: now) == [Sample.uuid(5)])
            #expect(try await claim(10, at: now).isEmpty)
            // Claims change no record, and the outbox still lists every unpublished one.
            #expect(try await t.store.unpublished(limit: 10).map(\.uuid) == [1, 2, 3, 4, 5, 9].map(Sample.uuid))
            #expect(try await t.store.fetch(Sample.uuid(1)) == Sample.record(1).storedForInsert())

            // Published: its claim ends with it. Released: claimable again at once.
            try await t.store.markPublished(Sample.uuid(1))
            try await t.store.releaseClaim(Sample.uuid(3))
            try await t.store.releaseClaim(Sample.uuid(42))  // unknown: nothing happens
            #expect(try await claim(10, at: now) == [Sample.uuid(3)])
            // A lease ends at its time: every unpublished old fractal is claimable again.
            #expect(try await claim(10, at: until) == [2, 3, 4, 5].map(Sample.uuid))
            // A fractal deleted and stored afresh has no claim.
            #expect(try await t.store.delete(Sample.uuid(2)))
            _ = try await t.store.insert(Sample.record(2))
            #expect(try await claim(10, at: until) == [Sample.uuid(2)])
        }
    }

    /// Eight publishers claiming at once, again and again: every fractal is claimed once.
    @Test(arguments: StoreBackend.usable)
    func concurrentClaimsNeverTakeOneFractalTwice(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            for n in 1...120 { _ = try await t.store.insert(Sample.record(n)) }
            let claimed = try await claimEverything(
                from: [t.store], publishers: 8, limit: 7, at: Sample.epoch.addingTimeInterval(1000))
            #expect(claimed.count == 120)
            #expect(Set(claimed) == Set((1...120).map(Sample.uuid)))
        }
    }

    // MARK: results

    @Test(arguments: StoreBackend.usable)
    func completingAPendingFractalStoresEveryResultFieldAndTheImage(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            let pending = try await t.store.insert(Sample.record(1)).record
            #expect(try await t.store.image(Sample.uuid(1)) == nil)
            if let file = t.imageFile(Sample.uuid(1)) { #expect(!FileManager.default.fileExists(atPath: file)) }

            let result = Sample.result()
            let outcome = try await t.store.complete(Sample.uuid(1), with: result, image: Sample.png(1))
            guard case .completed(let done) = outcome else {
                Issue.record("expected .completed, got \(outcome)")
                return
            }
            var expected = pending
            expected.status = .completed
            expected.completedAt = done.completedAt
            expected.duration = result.duration
            expected.size = result.size
            expected.checksum = result.checksum
            expected.pixelChecksum = result.pixelChecksum
            expected.generatedBy = result.generatedBy
            expected.attempts = 1
            #expect(done == expected)
            #expect(abs(try #require(done.completedAt).timeIntervalSince(result.completedAt)) < 1e-6)
            #expect(try await t.store.fetch(Sample.uuid(1)) == done)
            #expect(try await t.store.image(Sample.uuid(1)) == Sample.png(1))
            if let file = t.imageFile(Sample.uuid(1)) {
                #expect(FileManager.default.contents(atPath: file) == Sample.png(1))
            }
        }
    }

    @Test(arguments: StoreBackend.usable)
    func aResultWithoutAPixelChecksumIsStoredWithout(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            _ = try await t.store.insert(Sample.record(1))
            var result = Sample.result()
            result.pixelChecksum = nil
            let outcome = try await t.store.complete(Sample.uuid(1), with: result, image: Data())
            #expect(try await t.store.fetch(Sample.uuid(1)).map(CompleteOutcome.completed) == outcome)
            #expect(try await t.store.fetch(Sample.uuid(1))?.pixelChecksum == nil)
            #expect(try await t.store.image(Sample.uuid(1)) == Data())  // empty, but there
        }
    }

    @Test(arguments: StoreBackend.usable)
    func theSameResultAgainOnlyCountsTheAttempt(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            _ = try await t.store.insert(Sample.record(1))
            guard case .completed(let first) = try await t.store.complete(
                Sample.uuid(1), with: Sample.result(), image: Sample.png(1))
            else {
                Issue.record("not completed")
                return
            }
            // Same checksum, from another worker, later, slower: nothing changes (docs/wire-contract.md).
            var again = Sample.result(generatedBy: "worker-2")
            again.duration = 9
            again.completedAt = Sample.epoch.addingTimeInterval(7200)
            let expected = first
            #expect(try await t.store.complete(Sample.uuid(1), with: again, image: Sample.png(2)) == .duplicate(expected))
            #expect(try await t.store.complete(Sample.uuid(1), with: again, image: Sample.png(2)) == .duplicate(expected))
            #expect(try await t.store.fetch(Sample.uuid(1)) == expected)
            #expect(try await t.store.image(Sample.uuid(1)) == Sample.png(1))
        }
    }

    @Test(arguments: StoreBackend.usable)
    func anotherChecksumForACompletedFractalIsAConflictThatChangesNothing(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            _ = try await t.store.insert(Sample.record(1))
            _ = try await t.store.complete(Sample.uuid(1), with: Sample.result(checksum: "aaaa"), image: Sample.png(1))
            let before = try #require(try await t.store.fetch(Sample.uuid(1)))

            let outcome = try await t.store.complete(
                Sample.uuid(1), with: Sample.result(checksum: "bbbb", generatedBy: "worker-2"), image: Sample.png(2))
            #expect(outcome == .conflict(before))
            #expect(try await t.store.fetch(Sample.uuid(1)) == before)  // attempts included
            #expect(before.attempts == 1)
            #expect(try await t.store.image(Sample.uuid(1)) == Sample.png(1))
            if let file = t.imageFile(Sample.uuid(1)) {
                #expect(FileManager.default.contents(atPath: file) == Sample.png(1))
            }
        }
    }

    /// Each backend keeps the images where it says: in the database's `image` table, or
    /// (the Swift backends) one object a completed fractal, named by its uuid and
    /// checksum, and none in the database. A conflicting result leaves no object behind,
    /// and a delete takes the fractal's object with it.
    @Test(arguments: StoreBackend.usable)
    func imagesAreKeptWhereTheBackendSays(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            for n in 1...3 { _ = try await t.store.insert(Sample.record(n)) }
            for n in 1...2 {
                _ = try await t.store.complete(
                    Sample.uuid(n), with: Sample.result(checksum: "sum\(n)"), image: Sample.png(UInt8(n)))
            }
            #expect(
                try await t.store.complete(Sample.uuid(2), with: Sample.result(checksum: "other"), image: Sample.png(9))
                    == .conflict(try #require(try await t.store.fetch(Sample.uuid(2)))))
            #expect(try await t.store.delete(Sample.uuid(1)))
            #expect(try await t.store.image(Sample.uuid(2)) == Sample.png(2))

            switch backend {
            case .sqliteFileImagesInSwift, .postgresImagesInSwift:
                #expect(try await t.imageRows() == 0, "no image in the database")
                let names = try #require(t.objectNames)
                #expect(try await names() == ["\(Sample.uuid(2))/sum2.png"])
            case .sqliteFile, .postgres:
                #expect(try await t.imageRows() == 1)
            case .sqliteFileImageDirectory, .memory:
                #expect(try await t.imageRows() == 0)
            }
        }
    }

    @Test(arguments: StoreBackend.usable)
    func completingAnUnknownFractalIsNotFoundAndStoresNothing(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            let outcome = try await t.store.complete(Sample.uuid(1), with: Sample.result(), image: Sample.png())
            #expect(outcome == .notFound)
            #expect(try await t.store.fetch(Sample.uuid(1)) == nil)
            #expect(try await t.store.image(Sample.uuid(1)) == nil)
            #expect(try await t.store.page(1, perPage: 10).total == 0)
            if let file = t.imageFile(Sample.uuid(1)) { #expect(!FileManager.default.fileExists(atPath: file)) }
        }
    }

    @Test(arguments: StoreBackend.usable)
    func theImageIsThereOnlyOnceTheFractalIsCompleted(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            #expect(try await t.store.image(Sample.uuid(1)) == nil)  // unknown
            _ = try await t.store.insert(Sample.record(1))
            _ = try await t.store.insert(Sample.record(2))
            #expect(try await t.store.image(Sample.uuid(1)) == nil)  // pending
            _ = try await t.store.complete(Sample.uuid(1), with: Sample.result(), image: Sample.png(1))
            #expect(try await t.store.image(Sample.uuid(1)) == Sample.png(1))
            #expect(try await t.store.image(Sample.uuid(2)) == nil)  // another still pending
        }
    }

    @Test(arguments: StoreBackend.usable)
    func largeImagesAreKeptByteForByte(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            let png = Sample.png(7, count: 3 << 20)
            _ = try await t.store.insert(Sample.record(1))
            _ = try await t.store.complete(Sample.uuid(1), with: Sample.result(), image: png)
            #expect(try await t.store.image(Sample.uuid(1)) == png)
        }
    }

    /// Twenty results for one fractal at once: one completes it, the others are
    /// duplicates, and every attempt is counted.
    @Test(arguments: StoreBackend.usable)
    func concurrentResultsForOneFractalCompleteItExactlyOnce(_ backend: StoreBackend) async throws {
        let tasks = 20
        try await withStore(backend) { t in
            _ = try await t.store.insert(Sample.record(1))
            let store = t.store
            let outcomes = try await withThrowingTaskGroup(of: CompleteOutcome.self) { group in
                for worker in 0..<tasks {
                    group.addTask {
                        try await store.complete(
                            Sample.uuid(1), with: Sample.result(generatedBy: "worker-\(worker)"), image: Sample.png(1))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var completed = 0
            var duplicates = 0
            for outcome in outcomes {
                switch outcome {
                case .completed: completed += 1
                case .duplicate: duplicates += 1
                default: Issue.record("unexpected \(outcome)")
                }
            }
            #expect(completed == 1)
            #expect(duplicates == tasks - 1)
            let record = try #require(try await t.store.fetch(Sample.uuid(1)))
            #expect(record.attempts == 1)
            #expect(record.status == .completed)
            #expect(try await t.store.image(Sample.uuid(1)) == Sample.png(1))
        }
    }

    // MARK: delete

    @Test(arguments: StoreBackend.usable)
    func deletingRemovesTheFractalAndItsImage(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            for n in 1...3 { _ = try await t.store.insert(Sample.record(n)) }
            _ = try await t.store.complete(Sample.uuid(2), with: Sample.result(), image: Sample.png(2))
            if let file = t.imageFile(Sample.uuid(2)) { #expect(FileManager.default.fileExists(atPath: file)) }

            #expect(try await t.store.delete(Sample.uuid(2)) == true)
            #expect(try await t.store.fetch(Sample.uuid(2)) == nil)
            #expect(try await t.store.image(Sample.uuid(2)) == nil)
            if let file = t.imageFile(Sample.uuid(2)) { #expect(!FileManager.default.fileExists(atPath: file)) }
            let page = try await t.store.page(1, perPage: 10)
            #expect(page.records.map(\.uuid) == [1, 3].map(Sample.uuid))
            #expect(page.total == 2)
            #expect(try await t.store.unpublished(limit: 10).map(\.uuid) == [1, 3].map(Sample.uuid))

            #expect(try await t.store.delete(Sample.uuid(2)) == false)  // gone already
            #expect(try await t.store.delete(Sample.uuid(9)) == false)  // never there
            #expect(try await t.store.delete(Sample.uuid(1)) == true)  // a pending one
            #expect(try await t.store.page(1, perPage: 10).records.map(\.uuid) == [Sample.uuid(3)])
        }
    }

    @Test(arguments: StoreBackend.usable)
    func aDeletedUUIDCanBeStoredAfreshWithoutTheOldImage(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            _ = try await t.store.insert(Sample.record(1))
            _ = try await t.store.complete(Sample.uuid(1), with: Sample.result(checksum: "old"), image: Sample.png(1))
            #expect(try await t.store.delete(Sample.uuid(1)))

            guard case .inserted(let fresh) = try await t.store.insert(Sample.record(1)) else {
                Issue.record("not inserted afresh")
                return
            }
            #expect(fresh.status == .pending && fresh.attempts == 0)
            #expect(try await t.store.image(Sample.uuid(1)) == nil)
            // A new result with another checksum is no conflict with the deleted one.
            guard case .completed = try await t.store.complete(
                Sample.uuid(1), with: Sample.result(checksum: "new"), image: Sample.png(2))
            else {
                Issue.record("not completed afresh")
                return
            }
            #expect(try await t.store.image(Sample.uuid(1)) == Sample.png(2))
        }
    }

    // MARK: every backend gives the same answers

    /// A long scripted run of mixed calls gives the same transcript on every backend as on
    /// the memory store (which the simulator uses in place of SQLite).
    @Test(arguments: StoreBackend.usable.filter { $0 != .memory })
    func aScriptedRunGivesTheSameAnswersAsTheMemoryStore(_ backend: StoreBackend) async throws {
        let reference = try await withStore(.memory) { t in try await Self.transcript(of: t.store) }
        let actual = try await withStore(backend) { t in try await Self.transcript(of: t.store) }
        #expect(actual.count == reference.count)
        for (line, (a, r)) in zip(actual, reference).enumerated() where a != r {
            Issue.record("line \(line): \(a)\n  memory: \(r)")
            break
        }
    }

    /// 300 calls drawn from a fixed generator over 12 uuids; each answer as a line.
    static func transcript(of store: any FractalStore) async throws -> [String] {
        var generator = SplitMix(seed: 0x5EED)
        var lines: [String] = []
        for step in 0..<300 {
            let n = Int(generator.next() % 12)
            let uuid = Sample.uuid(n)
            switch generator.next() % 10 {
            case 0, 1:
                let second = Double(generator.next() % 20)  // collisions on purpose
                lines.append("insert \(n): \(try await store.insert(Sample.record(n, second: second)))")
            case 2:
                lines.append("fetch \(n): \(String(describing: try await store.fetch(uuid)))")
            case 3:
                let page = Int(generator.next() % 5)
                let perPage = Int(generator.next() % 4)
                let result = try await store.page(page, perPage: perPage)
                lines.append("page \(page)/\(perPage): \(result.total) \(result.records.map(\.uuid))")
            case 4:
                try await store.markPublished(uuid)
                lines.append("publish \(n): \(try await store.unpublished(limit: 3).map(\.uuid))")
            case 5, 6:
                let checksum = generator.next() % 4 == 0 ? "odd" : "even"
                let result = Sample.result(checksum: checksum, generatedBy: "w\(step)")
                let outcome = try await store.complete(uuid, with: result, image: Sample.png(UInt8(step % 256), count: 64))
                lines.append("complete \(n) \(checksum): \(outcome)")
            case 7:
                lines.append("image \(n): \(String(describing: try await store.image(uuid)?.count))")
            case 8:
                // Claims at a clock that moves a second a step, leases of 5 s, some released.
                let now = Sample.epoch.addingTimeInterval(Double(step))
                let claimed = try await store.claimUnpublished(
                    limit: 2, createdBefore: now, now: now, until: now.addingTimeInterval(5))
                if generator.next() % 2 == 0, let first = claimed.first { try await store.releaseClaim(first.uuid) }
                lines.append("claim at \(step): \(claimed.map(\.uuid))")
            default:
                lines.append("delete \(n): \(try await store.delete(uuid))")
            }
        }
        return lines
    }
}

/// SplitMix64, for scripted runs that are the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
