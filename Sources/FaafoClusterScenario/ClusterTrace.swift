import FaafoCluster
import FaafoSim
import Foundation

/// A real cluster's run as a trace (`faafo-sim run --cluster --trace`, `--timeline`), read
/// from what its processes logged and from the faults the runner injected: each log line
/// that names a task or marks a step becomes an event of its process, at the moment it
/// was logged (microseconds from the run's start); each fault an event of `fault`. The
/// same shape as a simulation's trace, so stories and timelines read both.
enum ClusterTrace {
    static func events(from outcome: ClusterOutcome) -> [TraceEvent] {
        var events: [(Date, TraceEvent)] = []
        func tick(_ date: Date) -> Tick {
            Tick(max(0, date.timeIntervalSince(outcome.started)) * Double(ticksPerSecond))
        }
        for (process, line) in outcome.logLines {
            guard let (date, message) = parse(line), let event = event(of: message) else { continue }
            events.append(
                (date, TraceEvent(tick: tick(date), actor: process, task: uuid(in: message), event: event, details: message)))
        }
        for (kind, moments) in outcome.faultMoments {
            for date in moments {
                events.append((date, TraceEvent(tick: tick(date), actor: "fault", task: nil, event: kind, details: "injected")))
            }
        }
        // By time, then as logged (a process's lines stay in their order).
        return events.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
    }

    /// A log line of the tutorial's form, `2015-04-02 03:55:02.708 19029 INFO faafo.worker [-] message`:
    /// its time (this machine's zone, as the services log it) and its message.
    static func parse(_ line: String) -> (Date, String)? {
        guard line.count > 24, let marker = line.range(of: " [-] ") else { return nil }
        let stamp = String(line.prefix(23))
        var components = DateComponents()
        let fields = stamp.split(whereSeparator: { "- :.".contains($0) }).compactMap { Int($0) }
        guard fields.count == 7 else { return nil }
        (components.year, components.month, components.day) = (fields[0], fields[1], fields[2])
        (components.hour, components.minute, components.second) = (fields[3], fields[4], fields[5])
        components.nanosecond = fields[6] * 1_000_000
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        guard let date = calendar.date(from: components) else { return nil }
        return (date, String(line[marker.upperBound...]))
    }

    /// The event a message stands for, in the words of a simulation's trace; nil for a
    /// line that marks no step of a task or of the cluster.
    static func event(of message: String) -> String? {
        let events: [(String, String)] = [
            ("rendering ", "render"), (" done in ", "done"), ("cannot deliver the result of", "retry"),
            ("rendering it again", "render-again"), ("dead-lettering", "reject"), ("cannot render ", "render-failed"),
            ("the API refused the result of", "refused"), ("stopping with", "stopping"),
            ("the API refused this worker's credential", "unauthorized"), (" completed by ", "complete"),
            ("identical result again", "duplicate"), ("determinism violation", "conflict"), (" failed on ", "fail"),
            ("from the outbox", "outbox"), ("is stored but not queued yet", "publish-unconfirmed"),
            ("consuming with", "start"), ("did not record the failure", "failure-not-recorded"),
        ]
        return events.first { message.contains($0.0) }?.1
    }

    /// The first uuid in a message.
    static func uuid(in message: String) -> String? {
        let hex = Set("0123456789abcdef")
        let characters = Array(message)
        guard characters.count >= 36 else { return nil }
        for start in 0...(characters.count - 36) {
            let candidate = characters[start..<(start + 36)]
            let valid = candidate.enumerated().allSatisfy { index, character in
                [8, 13, 18, 23].contains(index) ? character == "-" : hex.contains(character)
            }
            if valid { return String(candidate) }
        }
        return nil
    }
}
