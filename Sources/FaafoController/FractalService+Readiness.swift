import Foundation
import FractalStore
import Synchronization

extension FractalService {
    /// What keeps the service from doing its work now, in words; empty when nothing does.
    /// The store must answer a lookup by primary key within `timeout` (the wait is bounded
    /// even if the store ignores cancellation), an object store of its images (Swift) must
    /// answer too, and the work queue must be connected.
    public func readinessProblems(timeout: Duration = .seconds(3)) async -> [String] {
        var problems: [String] = []
        let store = self.store
        do {
            _ = try await Self.answer(within: timeout) { try await store.fetch(Self.probeUUID) }
        } catch is TimedOut {
            problems.append("the store did not answer within \(timeout)")
        } catch {
            problems.append("the store does not answer: \(error)")
        }
        if let split = store as? ObjectImageFractalStore {
            let objects = split.objects
            do {
                try await Self.answer(within: timeout) { try await objects.checkAnswers() }
            } catch is TimedOut {
                problems.append("the image store did not answer within \(timeout)")
            } catch {
                problems.append("the image store does not answer: \(error)")
            }
        }
        if !queue.isConnected { problems.append("the work queue is not connected") }
        return problems
    }

    /// A uuid no fractal gets (a nil UUID is never generated), so the probe reads no row.
    static let probeUUID = "00000000-0000-0000-0000-000000000000"

    struct TimedOut: Error {}

    /// `work`'s answer, or `TimedOut` once `limit` has passed. The work runs in a task of its
    /// own, cancelled on time-out, so that a call stuck in a blocking driver cannot hold the
    /// caller past `limit`.
    static func answer<T: Sendable>(
        within limit: Duration, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let first = FirstAnswer<T>()
        return try await withCheckedThrowingContinuation { continuation in
            first.wait(with: continuation)
            let worker = Task {
                do {
                    first.resume(with: .success(try await work()))
                } catch {
                    first.resume(with: .failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if first.resume(with: .failure(TimedOut())) { worker.cancel() }
            }
            first.onAnswer { timer.cancel() }
        }
    }
}

/// A continuation that the first of several tasks resumes; the others find it taken.
private final class FirstAnswer<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var answered = false
        var onAnswer: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func wait(with continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Runs `action` once answered (at once if already).
    func onAnswer(_ action: @escaping @Sendable () -> Void) {
        let answered = state.withLock { state in
            if !state.answered { state.onAnswer = action }
            return state.answered
        }
        if answered { action() }
    }

    /// Resumes the continuation unless another answer came first; returns whether it did.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let taken = state.withLock { state -> (CheckedContinuation<T, any Error>, (@Sendable () -> Void)?)? in
            guard !state.answered, let continuation = state.continuation else { return nil }
            state.answered = true
            defer { state.onAnswer = nil }
            return (continuation, state.onAnswer)
        }
        guard let (continuation, action) = taken else { return false }
        continuation.resume(with: result)
        action?()
        return true
    }
}
