/// One fault a run injects, anchored where it strikes: a task's n-th delivery, PUT or
/// create, or a moment of the run. Its kind declares which fields it uses and their names
/// in a scenario file (`FaultKind.declaration`); a run records every fault it injected in
/// this form, and a scenario's `faults.schedule` replays such a list exactly.
public struct ScheduledFault: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: FaultKind
    /// The task it strikes: its index in the run's workload (0 is the first task).
    public var task: Int?
    /// Which delivery, PUT, create or pass of the task (1 is the first).
    public var occurrence: Int?
    /// When, for a fault of the cluster rather than of a task.
    public var at: Tick?
    /// Where or how: a crash step or point, the corrupted field, a failure's kind.
    public var point: String?
    /// Which host, broker node, controller or worker.
    public var target: Int?
    /// How long: down for, a partition, a stall, a delay, a skew.
    public var length: Tick?
    public var flag: Bool?
    public var amount: UInt64?

    /// The slots of a fault that its kind's fields fill.
    public enum Slot: Sendable {
        case task, occurrence, at, point, target, length, flag, amount
    }

    public init(
        _ kind: FaultKind, task: Int? = nil, occurrence: Int? = nil, at: Tick? = nil, point: String? = nil,
        target: Int? = nil, length: Tick? = nil, flag: Bool? = nil, amount: UInt64? = nil
    ) {
        self.kind = kind
        self.task = task
        self.occurrence = occurrence
        self.at = at
        self.point = point
        self.target = target
        self.length = length
        self.flag = flag
        self.amount = amount
    }

    /// The value of one slot, as a scenario file writes it.
    public func text(of slot: Slot) -> String? {
        switch slot {
        case .task: task.map(String.init)
        case .occurrence: occurrence.map(String.init)
        case .at: at.map(Self.duration)
        case .point: point
        case .target: target.map(String.init)
        case .length: length.map(Self.duration)
        case .flag: flag.map { $0 ? "true" : "false" }
        case .amount: amount.map(String.init)
        }
    }

    /// The fault as one line of a scenario's `faults.schedule`: `{fault: worker-crash, task: 3, …}`.
    public var yaml: String {
        var parts = ["fault: \(kind.rawValue)"]
        for field in kind.declaration.fields {
            if let value = text(of: field.slot) { parts.append("\(field.name): \(value)") }
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    public var description: String {
        var parts: [String] = []
        for field in kind.declaration.fields {
            guard let value = text(of: field.slot) else { continue }
            parts.append(field.slot == .task ? "task \(value)" : "\(field.name) \(value)")
        }
        return "\(kind.rawValue) (\(parts.joined(separator: ", ")))"
    }

    /// A duration as the scenario reader reads it back exactly: whole milliseconds or
    /// seconds where they are exact, else microseconds.
    static func duration(_ tick: Tick) -> String {
        if tick % ticksPerSecond == 0 { return "\(tick / ticksPerSecond)s" }
        if tick % 1_000 == 0 { return "\(tick / 1_000)ms" }
        return "\(tick)us"
    }

    /// Sorted by time, then kind, task and occurrence, so a written schedule reads in order.
    public static func < (a: ScheduledFault, b: ScheduledFault) -> Bool {
        let left = (a.at ?? 0, a.kind, a.task ?? -1, a.occurrence ?? 0, a.target ?? -1, a.point ?? "")
        let right = (b.at ?? 0, b.kind, b.task ?? -1, b.occurrence ?? 0, b.target ?? -1, b.point ?? "")
        if left.0 != right.0 { return left.0 < right.0 }
        if left.1 != right.1 { return left.1 < right.1 }
        if left.2 != right.2 { return left.2 < right.2 }
        if left.3 != right.3 { return left.3 < right.3 }
        if left.4 != right.4 { return left.4 < right.4 }
        return left.5 < right.5
    }
}

extension ScheduledFault {
    /// What is wrong with the fault's fields, in a phrase; nil when it can be injected.
    public var problem: String? {
        func oneOf(_ names: [String], _ field: String) -> String? {
            guard let point, !names.contains(point) else { return nil }
            return "\(field) must be one of: \(names.joined(separator: ", ")); got '\(point)'"
        }
        switch kind {
        case .workerCrash:
            if let problem = oneOf(Scenario.CrashStep.allCases.map(\.rawValue), "step") { return problem }
            if flag != nil, point != Scenario.CrashStep.duringResult.rawValue {
                return "api-got-it is for a crash during-result only"
            }
        case .resultFailure:
            return oneOf(ResultFailure.allCases.map(\.rawValue), "failure")
        case .corruptResult:
            return oneOf(Scenario.CorruptField.allCases.map(\.rawValue), "field")
        case .disagreeingWorker:
            return oneOf(Scenario.DisagreeingRender.allCases.map(\.rawValue), "renders")
        case .clockSkew:
            return oneOf(["ahead", "behind"], "direction")
        case .repeatedCreate:
            return oneOf(["same", "other"], "parameters")
        case .controllerCrash:
            if let problem = oneOf(Scenario.ControllerPoint.allCases.map(\.rawValue), "point") { return problem }
            let inside = task != nil && point != nil
            let atOnce = at != nil && target != nil
            guard inside != atOnce, (task == nil) == (point == nil), (at == nil) == (target == nil) else {
                return "give task and point (a crash inside an operation, with pass for its n-th time), or at and controller (a crash at once)"
            }
        default:
            break
        }
        return nil
    }

    /// How a result PUT fails.
    public enum ResultFailure: String, Sendable, CaseIterable {
        /// The API answers 5xx and stores nothing.
        case error5xx = "error-5xx"
        /// The API stores the result, and the worker hears nothing back.
        case timeout
        /// The PUT never reaches the API.
        case lost
    }
}
