/// Every kind of fault the harness can inject, declared once: its name in scenario files,
/// the fields of one explicit fault of its kind (`faults.schedule`), what it does, and
/// which modes can inject it (the simulator always can; a real cluster on this machine and
/// test hosts only some; a mode refuses a scenario with a kind it cannot inject, naming it
/// and saying why).
///
/// A run draws its faults from the seed where the scenario gives probabilities and times,
/// and records each one it injected as a `ScheduledFault` of its kind, anchored where it
/// struck (a task's n-th delivery, a time). A scenario whose `faults.schedule` lists
/// faults injects exactly those and draws none: that is how `faafo-sim shrink` replays a
/// failing run with fewer faults.
public enum FaultKind: String, CaseIterable, Sendable, Codable, Comparable {
    case workerCrash = "worker-crash"
    case slowRender = "slow-render"
    case renderFailure = "render-failure"
    case resultFailure = "result-failure"
    case corruptResult = "corrupt-result"
    case refusedResult = "refused-result"
    case putDelay = "put-delay"
    case slowConfirm = "slow-confirm"
    case ackLost = "ack-lost"
    case duplicateDelivery = "duplicate-delivery"
    case failureRace = "failure-race"
    case disagreeingWorker = "disagreeing-worker"
    case smallWorker = "small-worker"
    case controllerCrash = "controller-crash"
    case clockSkew = "clock-skew"
    case brokerRestart = "broker-restart"
    case hostCrash = "host-crash"
    case partition
    case databaseRestart = "database-restart"
    case brokerNodeKill = "broker-node-kill"
    case deletion = "delete"
    case repeatedCreate = "repeated-create"
    case workerStop = "worker-stop"
    case wrongToken = "wrong-token"

    public static func < (a: FaultKind, b: FaultKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Where a mode can inject faults.
    public enum Mode: String, Sendable {
        case simulation
        /// `faafo-sim run --cluster`: faafo-api and faafo-worker processes on this machine.
        case cluster
        /// `faafo-sim run --cluster --hosts`: test hosts in network namespaces.
        case hosts
    }

    /// One field of an explicit fault: its name in the scenario file, the slot of
    /// `ScheduledFault` it fills, and whether it must be given.
    public struct Field: Sendable {
        public let name: String
        public let slot: ScheduledFault.Slot
        public let required: Bool
    }

    public struct Declaration: Sendable {
        /// What the fault does, in a sentence.
        public let summary: String
        /// The fields of one explicit fault of this kind.
        public let fields: [Field]
        /// Why a real cluster cannot inject it, per mode; absent: it can.
        public let refusedIn: [Mode: String]
    }

    /// The declaration of this kind.
    public var declaration: Declaration {
        func field(_ name: String, _ slot: ScheduledFault.Slot, required: Bool = true) -> Field {
            Field(name: name, slot: slot, required: required)
        }
        let task = field("task", .task)
        let noProxy = "a real one needs a proxy between the workers and the API"
        let noHook = "faafo-worker has no way to make it happen on a real host"
        let notYet = "the cluster runner does not play it yet"
        switch self {
        case .workerCrash:
            return Declaration(
                summary: "the worker holding a task dies (SIGKILL) at a named step of its n-th delivery",
                fields: [task, field("delivery", .occurrence), field("step", .point),
                         field("api-got-it", .flag, required: false)],
                refusedIn: [:])
        case .slowRender:
            return Declaration(
                summary: "a delivery's render stalls for a while (past the broker's consumer timeout, say)",
                fields: [task, field("delivery", .occurrence), field("stall", .length)], refusedIn: [:])
        case .renderFailure:
            return Declaration(
                summary: "a delivery's render fails (out of memory, say) after running a while: the worker gives the task up",
                fields: [task, field("delivery", .occurrence), field("after", .length, required: false)],
                refusedIn: [.cluster: noHook, .hosts: noHook])
        case .resultFailure:
            return Declaration(
                summary: "a task's n-th result PUT fails: error-5xx (not stored), timeout (stored, no answer) or lost (never arrives)",
                fields: [task, field("put", .occurrence), field("failure", .point)],
                refusedIn: [.cluster: noProxy, .hosts: noProxy])
        case .corruptResult:
            return Declaration(
                summary: "a task's n-th result has a bit flipped in its image, checksum, size or pixel-checksum, in the worker (before hashing) or on the wire",
                fields: [task, field("put", .occurrence), field("field", .point), field("on-the-wire", .flag)],
                refusedIn: [.cluster: noProxy, .hosts: noProxy])
        case .refusedResult:
            return Declaration(
                summary: "the API refuses a task's n-th result for good (400): the worker gives the task up",
                fields: [task, field("put", .occurrence)], refusedIn: [.cluster: noProxy, .hosts: noProxy])
        case .putDelay:
            return Declaration(
                summary: "a task's n-th result PUT takes this much longer on the network (PUTs overtake each other)",
                fields: [task, field("put", .occurrence), field("delay", .length)],
                refusedIn: [.cluster: noProxy, .hosts: noProxy])
        case .slowConfirm:
            return Declaration(
                summary: "the broker confirms a task's n-th publish late: the message is queued at once (a worker may finish the task) while the controller waits, and everything else goes on",
                fields: [task, field("publish", .occurrence), field("delay", .length)],
                refusedIn: [.cluster: "a real one needs a proxy between the API and the broker",
                            .hosts: "a real one needs a proxy between the API and the broker"])
        case .ackLost:
            return Declaration(
                summary: "the worker's connection drops as it acknowledges a task's n-th delivery: the broker delivers it again",
                fields: [task, field("delivery", .occurrence)], refusedIn: [.cluster: noHook, .hosts: noHook])
        case .duplicateDelivery:
            return Declaration(
                summary: "the broker delivers a task's message a second time", fields: [task], refusedIn: [:])
        case .failureRace:
            return Declaration(
                summary: "a task is delivered twice and the render of one of the deliveries fails: a failure report races the result",
                fields: [task, field("failing-delivery", .occurrence), field("after", .length, required: false)],
                refusedIn: [.cluster: noHook, .hosts: noHook])
        case .disagreeingWorker:
            return Declaration(
                summary: "a worker renders outside the render contract: `original` draws c at random and sends no pixel checksum, as the original faafo worker; `other-c` renders another c with a pixel checksum; `transposed` swaps width and height",
                fields: [field("worker", .target), field("renders", .point)],
                refusedIn: [.cluster: noHook, .hosts: noHook])
        case .smallWorker:
            return Declaration(
                summary: "a worker whose work budget is smaller than the API's: it gives up the tasks above it",
                fields: [field("worker", .target), field("work-budget", .amount)],
                refusedIn: [.cluster: "needs a work_budget option for faafo-worker", .hosts: "needs a work_budget option for faafo-worker"])
        case .controllerCrash:
            return Declaration(
                summary: "a controller dies inside an operation, right after a named call for a task (after-insert, after-publish, after-mark-published, after-claim, after-complete, after-fail), or at a time (at, controller)",
                fields: [field("task", .task, required: false), field("pass", .occurrence, required: false),
                         field("point", .point, required: false), field("at", .at, required: false),
                         field("controller", .target, required: false)],
                refusedIn: [:])
        case .clockSkew:
            return Declaration(
                summary: "a controller's clock runs ahead or behind the others' (leases, claims, timestamps)",
                fields: [field("controller", .target), field("direction", .point), field("by", .length)],
                refusedIn: [.cluster: "the processes share this machine's clock", .hosts: "the test hosts share this machine's clock"])
        case .brokerRestart:
            return Declaration(
                summary: "the broker restarts: every channel closes, nothing is published or consumed while it is down",
                fields: [field("at", .at), field("down-for", .length)], refusedIn: [:])
        case .hostCrash:
            return Declaration(
                summary: "every worker of a host dies at once and comes back together",
                fields: [field("at", .at), field("host", .target), field("down-for", .length)], refusedIn: [:])
        case .partition:
            return Declaration(
                summary: "a worker host's link is down for a while: it renders on; the broker notices past its heartbeat",
                fields: [field("at", .at), field("host", .target), field("for", .length)], refusedIn: [:])
        case .databaseRestart:
            return Declaration(
                summary: "the database restarts: every store call fails while it is down, nothing stored is lost",
                fields: [field("at", .at), field("down-for", .length)],
                refusedIn: [.cluster: "the cluster on one machine keeps its fractals in SQLite; --hosts has PostgreSQL"])
        case .brokerNodeKill:
            return Declaration(
                summary: "a node of the broker cluster dies; if it led the task queue, the others elect a leader",
                fields: [field("at", .at), field("node", .target)],
                refusedIn: [.cluster: "the cluster on one machine has one RabbitMQ node; --hosts has a cluster"])
        case .deletion:
            return Declaration(
                summary: "an operator deletes a fractal while its task is in flight: its late results must change nothing",
                fields: [task, field("at", .at)], refusedIn: [.cluster: notYet, .hosts: notYet])
        case .repeatedCreate:
            return Declaration(
                summary: "a client sends a create again with the task's uuid, after it succeeded: with the same parameters (it must get the stored fractal, nothing queued) or `other` ones (it must be refused, 409)",
                fields: [task, field("at", .at), field("parameters", .point, required: false)],
                refusedIn: [.cluster: notYet, .hosts: notYet])
        case .wrongToken:
            return Declaration(
                summary: "a worker runs with a worker token the API refuses (401) for a while, then an operator fixes it and restarts the worker gracefully: the tasks it held must neither fail nor be dead-lettered",
                fields: [field("worker", .target), field("for", .length)],
                refusedIn: [.cluster: notYet, .hosts: notYet])
        case .workerStop:
            return Declaration(
                summary: "an operator restarts a worker gracefully (SIGTERM): it stops waiting, leaves its tasks to the queue, and starts again; `waits-first` says whether its waits end before its consumer closes (the two race in faafo-worker)",
                fields: [field("at", .at), field("worker", .target), field("down-for", .length),
                         field("waits-first", .flag, required: false)],
                refusedIn: [.cluster: notYet, .hosts: notYet])
        }
    }

    /// Why `mode` cannot inject this kind, or nil if it can.
    public func refusal(in mode: Mode) -> String? { declaration.refusedIn[mode] }
}

extension Scenario {
    /// The kinds of fault the scenario asks for, by its settings or its schedule: what a
    /// mode must be able to inject to run it.
    public var faultKinds: [FaultKind] {
        if let schedule = faults.schedule { return Array(Set(schedule.map(\.kind))).sorted() }
        let f = faults
        let used: [(FaultKind, Bool)] = [
            (.workerCrash, f.workerCrash.values.contains { $0 > 0 }),
            (.slowRender, f.slowWorker > 0),
            (.renderFailure, f.renderFailure > 0),
            (.resultFailure, f.resultError + f.resultTimeout + f.resultLost > 0),
            (.corruptResult, f.corruptResult > 0),
            (.refusedResult, f.refusedResult > 0),
            (.putDelay, f.putDelay > 0),
            (.slowConfirm, f.slowConfirm > 0),
            (.ackLost, f.ackLost > 0),
            (.duplicateDelivery, f.duplicateDelivery > 0),
            (.failureRace, f.failureRace > 0),
            (.disagreeingWorker, f.disagreeingWorkers > 0),
            (.smallWorker, f.smallWorkers > 0),
            (.controllerCrash, !f.controllerCrashAt.isEmpty || f.controllerCrashEvery != nil || !f.controllerCrashPoints.isEmpty),
            (.clockSkew, f.clockSkew > 0),
            (.brokerRestart, !f.brokerRestartAt.isEmpty),
            (.hostCrash, !f.hostCrashAt.isEmpty),
            (.partition, !f.partitionAt.isEmpty),
            (.databaseRestart, !f.databaseRestartAt.isEmpty),
            (.brokerNodeKill, !f.brokerNodeKillAt.isEmpty),
            (.deletion, f.deletion > 0),
            (.repeatedCreate, f.repeatedCreate > 0),
            (.workerStop, !f.workerStopAt.isEmpty),
            (.wrongToken, f.wrongTokenWorkers > 0),
        ]
        return used.filter(\.1).map(\.0)
    }

    /// Why `mode` cannot run this scenario's faults, one phrase a reason; empty when it can.
    public func refusals(in mode: FaultKind.Mode) -> [String] {
        var refused = faultKinds.compactMap { kind in kind.refusal(in: mode).map { "\(kind.rawValue) (\($0))" } }
        if faults.schedule != nil {
            refused.append("faults.schedule (explicit faults anchored to a task's deliveries replay in simulation only)")
        }
        if workload.only != nil { refused.append("workload.only (a shrunk workload runs in simulation only)") }
        if !faults.controllerCrashPoints.isEmpty {
            refused.append("controller-crash points (a crash inside an operation needs a hook in faafo-api)")
        }
        return refused
    }
}
