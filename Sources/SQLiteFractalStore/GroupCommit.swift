import GRDB
import Synchronization

/// Group commit: write operations that arrive while a transaction is being written wait,
/// then run together in the next one, so that one commit (one fsync of the WAL) serves
/// them all. Under load the API's inserts, publish marks and results share commits;
/// alone, an operation commits at once, as it would on its own.
///
/// Each operation runs in a savepoint of its own: one that throws is rolled back alone and
/// only its caller sees the error. An operation's caller resumes once the transaction
/// that holds it has committed, or with the commit's error if the commit failed.
final class GroupCommit: Sendable {
    private let writer: any DatabaseWriter
    private let maximumBatch: Int
    private let state = Mutex(State())

    private struct State {
        var waiting: [Operation] = []
        var isWriting = false
        var transactions = 0
    }

    /// How many transactions have been written (committed or not): fewer than the
    /// operations when they were grouped.
    var transactionCount: Int { state.withLock { $0.transactions } }

    /// A queued operation: `run` executes it in the open transaction and keeps its own
    /// outcome; `finish` resumes its caller once the transaction's fate is known.
    private struct Operation: Sendable {
        let run: @Sendable (Database) -> Void
        let finish: @Sendable (_ commitError: (any Error)?) -> Void
    }

    init(writer: any DatabaseWriter, maximumBatch: Int = 256) {
        precondition(maximumBatch > 0, "a batch holds at least one operation")
        self.writer = writer
        self.maximumBatch = maximumBatch
    }

    /// Runs `body` in the next group transaction and returns its value once committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Outcome<T>()
            enqueue(
                Operation(
                    run: { db in
                        outcome.result = Result {
                            var value: T?
                            try db.inSavepoint {
                                value = try body(db)
                                return .commit
                            }
                            return value!
                        }
                    },
                    finish: { commitError in
                        if let commitError {
                            continuation.resume(throwing: commitError)
                        } else {
                            continuation.resume(with: outcome.result!)
                        }
                    }))
        }
    }

    private func enqueue(_ operation: Operation) {
        let startWriting = state.withLock { state in
            state.waiting.append(operation)
            guard !state.isWriting else { return false }
            state.isWriting = true
            return true
        }
        if startWriting {
            Task.detached { await self.writeWaitingOperations() }
        }
    }

    /// Writes batches until nothing waits. Only one such loop runs at a time.
    private func writeWaitingOperations() async {
        while true {
            let batch = state.withLock { state -> [Operation] in
                let count = min(state.waiting.count, maximumBatch)
                if count == 0 { state.isWriting = false } else { state.transactions += 1 }
                let batch = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try await writer.write { db in
                    for operation in batch { operation.run(db) }
                }
                for operation in batch { operation.finish(nil) }
            } catch {
                for operation in batch { operation.finish(error) }
            }
        }
    }
}

/// One operation's result, written by the group's transaction and read after its commit;
/// the two never overlap, as `writeWaitingOperations` runs them one after the other.
private final class Outcome<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
