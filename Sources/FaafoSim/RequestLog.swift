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

    var puts: [[Put]]
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
        failures = Array(repeating: [], count: tasks)
        repeatedCreates = Array(repeating: [], count: tasks)
    }

    /// Notes a cause to give `task` up, keeping the first.
    mutating func excuseGivingUp(_ task: Int, _ cause: String) {
        if givenUpCause[task] == nil { givenUpCause[task] = cause }
    }
}
