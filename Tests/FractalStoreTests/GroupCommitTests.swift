import FaafoTestKit
import Foundation
import GRDB
import Testing
@testable import FractalStore
@testable import SQLiteFractalStore

@Suite struct GroupCommitTests {
    /// A WAL database file with one table of numbered rows.
    func withDatabase(_ body: (DatabasePool) async throws -> Void) async throws {
        try await withScratchDirectory { scratch in
            let pool = try DatabasePool(path: scratch.appendingPathComponent("group.db").path)
            try await pool.write { db in try db.execute(sql: "CREATE TABLE row (n INTEGER PRIMARY KEY)") }
            try await body(pool)
            try pool.close()
        }
    }

    @Test func concurrentWritesShareTransactionsAndAllCommit() async throws {
        try await withDatabase { pool in
            let commits = GroupCommit(writer: pool)
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for n in 0..<400 {
                    group.addTask {
                        try await commits.write { db in
                            try db.execute(sql: "INSERT INTO row (n) VALUES (?)", arguments: [n])
                            return n
                        }
                    }
                }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(results == Set(0..<400))
            let stored = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM row") }
            #expect(stored == 400)
            // 400 operations that wait for one another's commits cannot all have had a
            // transaction each; the exact count depends on timing.
            #expect(commits.transactionCount < 400)
        }
    }

    @Test func aFailingOperationIsRolledBackAloneAndOnlyItsCallerSeesTheError() async throws {
        try await withDatabase { pool in
            let commits = GroupCommit(writer: pool)
            try await commits.write { db in try db.execute(sql: "INSERT INTO row (n) VALUES (7)") }
            // Ten writers; the even ones insert a new row, the odd ones a new row and then a
            // duplicate of 7, which fails and must take their new row with it.
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for n in 10..<20 {
                    group.addTask {
                        do {
                            try await commits.write { db in
                                try db.execute(sql: "INSERT INTO row (n) VALUES (?)", arguments: [n])
                                if n % 2 == 1 { try db.execute(sql: "INSERT INTO row (n) VALUES (7)") }
                            }
                            return (n, true)
                        } catch {
                            return (n, false)
                        }
                    }
                }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes == Dictionary(uniqueKeysWithValues: (10..<20).map { ($0, $0 % 2 == 0) }))
            let rows = try await pool.read { db in try Int.fetchAll(db, sql: "SELECT n FROM row ORDER BY n") }
            #expect(rows == [7, 10, 12, 14, 16, 18])
        }
    }

    @Test func aLoneWriteCommitsAtOnce() async throws {
        try await withDatabase { pool in
            let commits = GroupCommit(writer: pool)
            let value = try await commits.write { db -> Int in
                try db.execute(sql: "INSERT INTO row (n) VALUES (1)")
                return 42
            }
            #expect(value == 42)
            #expect(commits.transactionCount == 1)
            let count = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM row") }
            #expect(count == 1)
        }
    }
}
