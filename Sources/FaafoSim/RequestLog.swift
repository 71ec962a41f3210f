import FaafoWire
import FaafoWorkerLogic

/// What the run's clients and workers sent to the controllers, and what each request came
/// to, as the harness saw it on the wire: the checker's evidence besides the store. It
/// records who really sent each result (the virtual worker, whatever its `generated_by`
/// says) and whether the harness made it outside the render contract.
struct RequestLog {
    /// One result PUT of a task.
    struct Put {
        let tick: Tick
        let worker: Int
        let checksum: String
        let pixelChecksum: String?
        let size: Int
        let duration: Double
        let generatedBy: String
        /// Made by the render contract and sent as made: neither a disagreeing worker's
        /// nor corrupted by the harness.
        let contract: Bool
        /// The harness corrupted it.
        let corrupted: Bool
        /// What the API made of it, when it reached a controller's service (not lost,
        /// refused by the harness, answered 5xx by it, or cut off), even where the worker
        /// never heard the answer.
        let processed: TaskSteps.Outcome?
        /// What the worker was answered.
        let heard: String

        var reachedAPI: Bool { processed != nil }
        /// The API took it: it completed the fractal, or was the same result again.
        var accepted: Bool {
            if case .accepted = processed { return true }
            return false
        }
    }

    /// One failure report of a task.
    struct FailureReport {
        let tick: Tick
        let worker: Int
        let reason: String
        let recorded: Bool
    }

    /// One create a client sent again for a stored task, and what it was answered.
    struct RepeatedCreate {
        let tick: Tick
        let answer: String
        /// Answered as a repeat must be: with the stored fractal, nothing queued (the same
        /// parameters), or refused as a conflict (other ones).
        let asStored: Bool
        let otherParameters: Bool
    }

    /// How a task's messages were published by the controllers: every publish beyond the
    /// first must have a cause.
    struct Publishes {
        /// Publish calls made for it (a live controller's: the create's, the outbox's).
        var attempts = 0
        /// Those the broker confirmed: each put a message on the queue.
        var confirmed = 0
        /// Confirmed publishes that were then marked published.
        var marked = 0
        /// Outbox claims that may take a task whose create is still publishing it: a
        /// controller's first pass after it started, or a claim by a clock that puts the
        /// task past the grace.
        var excusedClaims = 0

        /// Messages more than the causes explain: one for the first publish, one more for
        /// each publish that was not confirmed or not marked (the outbox must send it
        /// again), one more for each excused claim.
        var needless: Int { max(0, confirmed - 1 - (attempts - marked) - excusedClaims) }
    }

    var puts: [[Put]]
    var publishes: [Publishes]
    var failures: [[FailureReport]]
    var repeatedCreates: [[RepeatedCreate]]
    /// When each deleted task was deleted.
    var deleted: [Int: Tick] = [:]
    /// Tasks a fault gave a worker cause to give up: a render that failed, a result the
    /// harness refused for good, a task above a small worker's budget that it received.
    var givenUpCause: [Int: String] = [:]
    /// Results the API refused as corrupt, per delivery (task, delivery number).
    var corruptRefusals: [TaskDelivery: Int] = [:]

    struct TaskDelivery: Hashable {
        let task: Int
        let delivery: Int
    }

    init(tasks: Int) {
        puts = Array(repeating: [], count: tasks)
        publishes = Array(repeating: Publishes(), count: tasks)
        failures = Array(repeating: [], count: tasks)
        repeatedCreates = Array(repeating: [], count: tasks)
    }

    /// Notes a cause to give `task` up, keeping the first.
    mutating func excuseGivingUp(_ task: Int, _ cause: String) {
        if givenUpCause[task] == nil { givenUpCause[task] = cause }
    }
}
