import FaafoProbes
import Foundation

/// One thing that happened in a run, as `--trace` writes it (a JSON line) and a failing
/// task's story prints it.
public struct TraceEvent: Codable, Sendable, Equatable {
    public let tick: Tick
    /// Who did it: `client`, `controller-2`, `worker-3`, `broker`, `broker-node-1`,
    /// `database`, `operator`, or `fault` for the harness injecting one.
    public let actor: String
    /// The task it concerns (its uuid), if one.
    public let task: String?
    /// What happened, in a word or two: `create`, `insert`, `publish`, `deliver`, `render`,
    /// `put`, `ack`, `crash`, `probe`, …
    public let event: String
    public let details: String

    public init(tick: Tick, actor: String, task: String?, event: String, details: String) {
        self.tick = tick
        self.actor = actor
        self.task = task
        self.event = event
        self.details = details
    }

    /// The event as one line of a story: `  0.012345s  worker-3  render: ok, 812 µs`.
    public var line: String {
        "\(Simulation.seconds(tick))  \(actor.padding(toLength: 13, withPad: " ", startingAt: 0)) \(event)"
            + (details.isEmpty ? "" : ": \(details)")
    }

    /// The event as one JSON line (keys sorted).
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// Every event of one run, in the order it happened, when the run keeps a trace (single
/// runs do; swarms do not, to stay fast). The service wrappers, the probe recorder and the
/// loop all write here; the loop runs one call at a time, so there is one writer at once.
final class RunTrace: @unchecked Sendable {
    let enabled: Bool
    let clock: any SimulationClock
    private(set) var events: [TraceEvent] = []
    /// Who is acting now, and for which task: set by the loop around each service call,
    /// so that what the services do (their store calls, their probes) is put to them.
    var actor = "client"
    var task: String?

    init(enabled: Bool, clock: any SimulationClock) {
        self.enabled = enabled
        self.clock = clock
    }

    /// Notes an event by `actor` (the one acting now when nil), about `task` (the current
    /// one when nil). `details` is only made when the trace is kept.
    func note(
        _ event: String, actor: String? = nil, task: String? = nil, _ details: @autoclosure () -> String = ""
    ) {
        guard enabled else { return }
        events.append(
            TraceEvent(tick: clock.now, actor: actor ?? self.actor, task: task ?? self.task, event: event, details: details()))
    }

    /// Runs `body` with `actor` acting for `task`, then puts the previous ones back.
    func actingNow<T>(as actor: String, for task: String?, _ body: () throws -> T) rethrows -> T {
        let (oldActor, oldTask) = (self.actor, self.task)
        self.actor = actor
        self.task = task
        defer { (self.actor, self.task) = (oldActor, oldTask) }
        return try body()
    }

    /// Runs `body` with `actor` acting for `task`, then puts the previous ones back.
    func acting<T>(as actor: String, for task: String?, _ body: () async throws -> T) async rethrows -> T {
        let (oldActor, oldTask) = (self.actor, self.task)
        self.actor = actor
        self.task = task
        defer { (self.actor, self.task) = (oldActor, oldTask) }
        return try await body()
    }
}
