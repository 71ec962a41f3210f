/// A controller operation (a create, an outbox pass) that can wait in simulated time, for a
/// late confirm, while the rest of the run goes on. It runs as a task of its own, and it and
/// the run's loop take turns: one runs while the other waits for its turn, and a turn
/// passes only where the operation parks or ends. So nothing runs concurrently, and the run
/// stays the same event for event.
///
/// Each side keeps its own trace context (who acts, for which task) across the turns.
///
/// `@unchecked Sendable`: the two sides never run at once, and every hand-over is a
/// continuation's resume, which orders what came before it.
final class SimulatedOperation: @unchecked Sendable {
    /// The operation the current task runs, if it is one.
    @TaskLocal static var current: SimulatedOperation?

    private let trace: RunTrace
    /// The side waiting for its turn: the loop while the operation runs, the operation
    /// while it is parked.
    private var loop: CheckedContinuation<Void, Never>?
    private var parked: CheckedContinuation<Void, Never>?

    private init(trace: RunTrace) {
        self.trace = trace
    }

    /// Runs `body` as an operation until it parks (whoever parks it resumes it later) or ends.
    static func start(trace: RunTrace, _ body: @escaping @Sendable () async -> Void) async {
        let operation = SimulatedOperation(trace: trace)
        let context = (trace.actor, trace.task)
        await withCheckedContinuation { loop in
            operation.loop = loop
            Task {
                await $current.withValue(operation) { await body() }
                operation.giveTurnToLoop()
            }
        }
        (trace.actor, trace.task) = context
    }

    /// Inside the operation: gives the turn to the loop, and waits until `resume`.
    func park() async {
        let context = (trace.actor, trace.task)
        await withCheckedContinuation { parked in
            self.parked = parked
            giveTurnToLoop()
        }
        (trace.actor, trace.task) = context
    }

    /// From the loop: gives the turn to the parked operation, and waits until it parks
    /// again or ends.
    func resume() async {
        let context = (trace.actor, trace.task)
        await withCheckedContinuation { loop in
            self.loop = loop
            let parked = self.parked
            self.parked = nil
            parked?.resume()
        }
        (trace.actor, trace.task) = context
    }

    private func giveTurnToLoop() {
        let loop = self.loop
        self.loop = nil
        loop?.resume()
    }
}

/// A value handed to an operation's task: safe because the operation and the loop take
/// turns (`SimulatedOperation`).
struct TakingTurns<Value>: @unchecked Sendable {
    let value: Value
}
