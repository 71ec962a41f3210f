import Synchronization

/// A named situation in faafo's own logic that a test run should reach now and then: a
/// "sometimes" assertion, as FoundationDB's CODE_PROBE and Antithesis's `sometimes` have
/// them. Production code marks the branch with `Probe.hit(.name)`; outside the simulator
/// nothing records it (one task-local read, measured in docs/simulator.md). A run of the
/// simulator lists the probes it reached, a swarm how many seeds reached each, and a
/// scenario can demand the ones it exists to exercise (`expect: reached: [...]`).
///
/// Every probe is declared in `Probe+Catalogue.swift`, once, with what it means.
public struct Probe: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Where it is and what happened, dotted: `worker.render-failed`.
    public let name: String
    /// One sentence: what reaching it shows.
    public let meaning: String

    init(_ name: String, _ meaning: String) {
        self.name = name
        self.meaning = meaning
    }

    public var description: String { name }

    public static func < (a: Probe, b: Probe) -> Bool { a.name < b.name }
    public static func == (a: Probe, b: Probe) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// The recorder of the run this task belongs to; nil outside the simulator. Bind it
    /// with `recording(into:_:)`.
    @TaskLocal public static var recorder: ProbeRecorder?

    /// How many runs of this process record probes now: while none does (faafo-api,
    /// faafo-worker), a hit costs one relaxed atomic load.
    private static let recordingRuns = Atomic<Int>(0)

    /// Records that the situation happened, if a run is recording. The probe is an
    /// autoclosure, so that where nothing records not even its declaration is read.
    @inline(__always)
    public static func hit(_ probe: @autoclosure () -> Probe) {
        guard recordingRuns.load(ordering: .relaxed) > 0 else { return }
        if let recorder { recorder.record(probe()) }
    }

    /// Runs `body` with `recorder` taking the probes its task (and the tasks it starts) hit.
    public static func recording<T>(into recorder: ProbeRecorder, _ body: () async throws -> T) async rethrows -> T {
        recordingRuns.add(1, ordering: .relaxed)
        defer { recordingRuns.subtract(1, ordering: .relaxed) }
        return try await $recorder.withValue(recorder) { try await body() }
    }

    /// The probe with this name, if one is declared.
    public static func named(_ name: String) -> Probe? { byName[name] }

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}

/// Counts the probes one run reached. The simulator makes one a run and binds it to
/// `Probe.recorder` for the run's task; `onHit` lets it note each hit where it happened.
public final class ProbeRecorder: Sendable {
    private let counts = Mutex<[Probe: Int]>([:])
    private let onHit: (@Sendable (Probe) -> Void)?

    public init(onHit: (@Sendable (Probe) -> Void)? = nil) {
        self.onHit = onHit
    }

    public func record(_ probe: Probe) {
        counts.withLock { $0[probe, default: 0] += 1 }
        onHit?(probe)
    }

    /// How many times each probe was reached, by name.
    public var hits: [String: Int] {
        counts.withLock { counts in Dictionary(uniqueKeysWithValues: counts.map { ($0.key.name, $0.value) }) }
    }
}
