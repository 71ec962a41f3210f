/// A failing task's history in simulated time: its create (and which controller took it),
/// every store write, publish and delivery, each action of the worker's step machine and
/// what it came to, every fault that touched it, and what happened to the cluster while
/// it was in flight: enough to see why it failed without a debugger. The report tells the
/// first few failing tasks of each failure class.
public struct TaskStory: Codable, Sendable, Equatable {
    /// The failure class: `lost`, `stored twice`, …
    public let failure: String
    public let task: String
    /// Its index in the workload, as `faults.schedule` names tasks.
    public let index: Int?
    /// Its events, and the cluster's faults between its first and its last.
    public let events: [TraceEvent]
    /// Events left out of a long story, in its middle.
    public let omitted: Int

    /// Stories a failure class tells at most.
    static let perClass = 3
    /// Events a story shows at most: its first and last halves.
    static let maximumEvents = 80

    /// The stories of the first failing tasks of each class, from a run's trace.
    package static func stories(
        failing: [String: [String]], classes: [String], trace: [TraceEvent], taskIndex: [String: Int]
    ) -> [TaskStory] {
        guard !trace.isEmpty else { return [] }
        var stories: [TaskStory] = []
        var byTask: [String: [Int]] = [:]
        for (position, event) in trace.enumerated() {
            if let task = event.task { byTask[task, default: []].append(position) }
        }
        let clusterWide = trace.indices.filter { Self.isClusterEvent(trace[$0]) }
        for failure in classes {
            for uuid in (failing[failure] ?? []).prefix(perClass) {
                let own = byTask[uuid] ?? []
                guard let first = own.first, let last = own.last else {
                    stories.append(TaskStory(failure: failure, task: uuid, index: taskIndex[uuid], events: [], omitted: 0))
                    continue
                }
                let around = clusterWide.filter { $0 > first && $0 < last }
                var events = (own + around).sorted().map { trace[$0] }
                var omitted = 0
                if events.count > maximumEvents {
                    omitted = events.count - maximumEvents
                    events = Array(events.prefix(maximumEvents / 2)) + Array(events.suffix(maximumEvents / 2))
                }
                stories.append(TaskStory(failure: failure, task: uuid, index: taskIndex[uuid], events: events, omitted: omitted))
            }
        }
        return stories
    }

    /// Whether an event concerns the whole cluster (a fault of a host, the broker, the
    /// database, a controller's life), and so belongs in the story of every task in flight.
    static func isClusterEvent(_ event: TraceEvent) -> Bool {
        guard event.task == nil else { return false }
        if event.actor == "fault" || event.actor == "broker" || event.actor == "database" { return true }
        if event.actor.hasPrefix("broker-node-") { return true }
        return event.actor.hasPrefix("controller-") && (event.event == "down" || event.event == "start")
    }

    /// The story as lines for a terminal.
    public var lines: [String] {
        var lines = ["  story of \(task)\(index.map { " (task \($0))" } ?? ""), \(failure):"]
        if events.isEmpty { lines.append("    (no event of this task in the trace)") }
        for (position, event) in events.enumerated() {
            if omitted > 0, position == events.count / 2 { lines.append("    … \(omitted) more event(s) …") }
            lines.append("    " + event.line)
        }
        return lines
    }
}
