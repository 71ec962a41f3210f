import FaafoTestKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PostgresFractalStore
import Synchronization
import Testing
@testable import FractalStore

/// A PostgreSQL restart in the middle of a batch, on a throwaway cluster of this test's
/// own (port 55433, started by `scripts/start-postgres`), so that tests using the shared
/// server run undisturbed beside it.
@Suite(.needs(.postgreSQLPrograms)) struct PostgresRestartTests {
    static let port = 55433
    static let url = "postgresql://faafo:faafo@127.0.0.1:\(port)/faafo"

    /// 150 fractals stored and completed one after another by one store while the server
    /// stops for two seconds and starts again: calls fail (each within the store's
    /// timeout, with a `StoreError`) while it is down and are tried again, like the API's
    /// clients would; afterwards every fractal is there, completed once, and the same
    /// store (never recreated) works on.
    @Test func aServerRestartMidBatchLosesNothingAndTheStoreRecoversByItself() async throws {
        try Self.cluster()
        // The test's own server stops with the test, passed or failed.
        defer { try? Self.cluster("--stop") }
        let timeout = Duration.seconds(2)
        try await TestPostgres.withDatabase(on: Self.url) { endpoint in
            let store = try await PostgresFractalStore(endpoint, poolSize: 4, operationTimeout: timeout)
            defer { store.close() }
            let failures = Mutex((count: 0, slowest: Duration.zero))
            /// Runs `call` until it succeeds (at most 60 s), noting failures and how long each took.
            func retrying<T>(_ call: () async throws -> T) async throws -> T {
                let deadline = ContinuousClock.now + .seconds(60)
                while true {
                    let started = ContinuousClock.now
                    do {
                        return try await call()
                    } catch let error as StoreError {
                        let took = ContinuousClock.now - started
                        failures.withLock { $0 = ($0.count + 1, max($0.slowest, took)) }
                        guard ContinuousClock.now < deadline else { throw error }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
            }

            let restart = Task {
                try await Task.sleep(for: .milliseconds(300))
                try await Self.offThePool { try Self.cluster("--stop") }
                try await Task.sleep(for: .seconds(2))
                try await Self.offThePool { try Self.cluster() }
            }
            let count = 150
            for n in 1...count {
                _ = try await retrying { try await store.insert(Sample.record(n)) }
                let outcome = try await retrying {
                    try await store.complete(Sample.uuid(n), with: Sample.result(), image: Sample.png(UInt8(n % 256)))
                }
                switch outcome {
                case .completed, .duplicate: break  // a duplicate: the first try committed, its answer was lost
                default: Issue.record("fractal \(n): \(outcome)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await restart.value

            let (failed, slowest) = failures.withLock { ($0.count, $0.slowest) }
            #expect(failed > 0, "the restart should have failed some calls")
            #expect(slowest < timeout + .seconds(2), "a call while the server was down took \(slowest)")
            let page = try await store.page(1, perPage: 1000)
            #expect(page.total == count)
            #expect(page.records.allSatisfy { $0.status == .completed && $0.attempts == 1 })
            for n in [1, count / 2, count] {
                #expect(try await store.image(Sample.uuid(n)) == Sample.png(UInt8(n % 256)))
            }
        }
    }

    /// Runs `body` (which blocks: it waits for a process) on a thread of its own, so that the
    /// cooperative pool's few threads stay free for the store's calls and their deadlines.
    static func offThePool(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                do {
                    try body()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    /// Starts (or with `--stop`, stops) this test's own cluster. posix_spawn and waitpid,
    /// not Foundation's Process, whose wait can miss the child's exit when called from a
    /// task of the cooperative pool.
    static func cluster(_ arguments: String...) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/start-postgres").standardizedFileURL.path
        var environment = ProcessInfo.processInfo.environment
        environment["FAAFO_POSTGRES_PORT"] = String(port)
        let argv = ([script] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        // Nothing else of this process: the server it starts lives on, and would otherwise hold
        // every socket the other tests have open then (so their peers never see them close).
        // (A descriptor closed meanwhile is no error: glibc fails only on ones out of range.)
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, script, &actions, nil, argv, envp)
        guard spawned == 0 else { throw StoreError("cannot run \(script): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            throw StoreError("scripts/start-postgres \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
    }
}
