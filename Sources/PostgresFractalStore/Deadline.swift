import FractalStore
import Synchronization

/// Bounds a call: its value if it comes within `limit`, else a `StoreError` at once. The
/// call is cancelled but not waited for (a query on a hung connection may never notice).
enum Deadline {
    static func run<T: Sendable>(
        within limit: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(
                    continuation,
                    work: Task { race.finish(await Result { try await body() }) },
                    timer: Task {
                        guard (try? await Task.sleep(for: limit)) != nil else { return }
                        race.finish(.failure(StoreError("no answer from PostgreSQL within \(limit)")))
                    })
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// Whichever of the call, the timer and a cancellation comes first resumes the caller;
    /// the other tasks are then cancelled.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var tasks: [Task<Void, Never>] = []
            /// A result that came before the continuation was there (a cancellation).
            var early: Result<T, any Error>?
            var done = false
        }

        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>, timer: Task<Void, Never>) {
            let early: Result<T, any Error>? = state.withLock { state in
                if state.done { return state.early ?? .failure(CancellationError()) }
                state.continuation = continuation
                state.tasks = [work, timer]
                return nil
            }
            if let early {
                work.cancel()
                timer.cancel()
                continuation.resume(with: early)
            }
        }

        func finish(_ result: Result<T, any Error>) {
            let (continuation, tasks): (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) = state.withLock { state in
                guard !state.done else { return (nil, []) }
                state.done = true
                guard let continuation = state.continuation else {
                    state.early = result
                    return (nil, [])
                }
                state.continuation = nil
                return (continuation, state.tasks)
            }
            tasks.forEach { $0.cancel() }
            continuation?.resume(with: result)
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
