/// A scenario written back as a scenario file, which `Scenario.load` reads to the same
/// scenario: how `faafo-sim shrink` hands back the minimal scenario it found. Settings are
/// written as they are, a range only where it is one; faults only as far as they matter.
extension Scenario {
    public var yaml: String {
        var lines = ["name: \(name)"]
        if let seed { lines.append("seed: \(seed)") }
        lines.append("workload:")
        lines.append("  tasks: \(workload.tasks)")
        if let only = workload.only { lines.append("  only: [\(only.map(String.init).joined(separator: ", "))]") }
        lines.append("  width: \(Self.setting(workload.width))")
        lines.append("  height: \(Self.setting(workload.height))")
        lines.append("  iterations: \(Self.setting(workload.iterations))")
        lines.append("  plane: [\(workload.plane.map { "\($0)" }.joined(separator: ", "))]")
        if let distinct = workload.distinct { lines.append("  distinct: \(distinct)") }
        if workload.explicitC > 0 { lines.append("  explicit-c: \(workload.explicitC)") }
        if workload.originalClients > 0 { lines.append("  original-clients: \(workload.originalClients)") }
        if let fixture = workload.fixture { lines.append("  fixture: \(fixture)") }
        switch workload.arrival {
        case .burst: lines.append("  arrival: {pattern: burst}")
        case .uniform(let rate): lines.append("  arrival: {pattern: uniform, rate: \(rate)}")
        case .poisson(let rate): lines.append("  arrival: {pattern: poisson, rate: \(rate)}")
        }
        lines.append("cluster:")
        lines.append("  controllers: \(Self.setting(cluster.controllers))")
        lines.append("  workers: \(Self.setting(cluster.workers))")
        lines.append("  concurrency: \(Self.setting(cluster.concurrency))")
        if let prefetch = cluster.prefetch { lines.append("  prefetch: \(Self.setting(prefetch))") }
        if let hosts = cluster.hosts { lines.append("  hosts: \(Self.setting(hosts))") }
        lines.append("  network: \(ScheduledFault.duration(cluster.network))")
        if let bug = cluster.workerBug { lines.append("  worker-bug: \(bug.rawValue)") }
        lines += faultLines
        lines.append("expect:")
        lines.append("  all-complete: \(expect.allComplete)")
        lines.append("  lost: \(expect.lost)")
        lines.append("  duplicates-stored: \(expect.duplicatesStored)")
        if let limit = expect.maxRedeliveries { lines.append("  max-redeliveries: \(limit)") }
        if let minimum = expect.minThroughput { lines.append("  min-throughput: \(minimum)") }
        lines.append("  within: \(ScheduledFault.duration(expect.within))")
        if !expect.reached.isEmpty { lines.append("  reached: [\(expect.reached.joined(separator: ", "))]") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The faults section: the settings that shape how faults play out (how long a
    /// crashed worker stays down, the broker's heartbeat, …), and the schedule when there
    /// is one, else the probabilities and times to draw from.
    var faultLines: [String] {
        let f = faults
        var lines = ["faults:"]
        func duration(_ tick: Tick) -> String { ScheduledFault.duration(tick) }
        func times(_ ticks: [Tick]) -> String { "[" + ticks.map(duration).joined(separator: ", ") + "]" }
        let drawn = f.schedule == nil
        if let until = f.until, drawn { lines.append("  until: \(duration(until))") }
        var crash = ["restart-after: \(duration(f.workerRestart))"]
        if drawn {
            crash += f.workerCrash.sorted { $0.key < $1.key }.map { "\($0.key.rawValue): \($0.value)" }
        }
        lines.append("  worker-crash: {\(crash.joined(separator: ", "))}")
        var slow = f.consumerTimeout.map { ["consumer-timeout: \(duration($0))"] } ?? []
        if drawn, f.slowWorker > 0 { slow += ["probability: \(f.slowWorker)", "stall: \(duration(f.slowStall))"] }
        if !slow.isEmpty { lines.append("  slow-worker: {\(slow.joined(separator: ", "))}") }
        var controller = ["down-for: \(duration(f.controllerDownFor))"]
        if drawn {
            if !f.controllerCrashAt.isEmpty { controller.append("at: \(times(f.controllerCrashAt))") }
            if let every = f.controllerCrashEvery { controller.append("every: \(duration(every))") }
            if !f.controllerCrashPoints.isEmpty {
                let points = f.controllerCrashPoints.sorted { $0.key < $1.key }.map { "\($0.key.rawValue): \($0.value)" }
                controller.append("points: {\(points.joined(separator: ", "))}")
            }
        }
        lines.append("  controller-crash: {\(controller.joined(separator: ", "))}")
        lines.append(
            "  broker-restart: {down-for: \(duration(f.brokerDownFor))"
                + (drawn && !f.brokerRestartAt.isEmpty ? ", at: \(times(f.brokerRestartAt))" : "") + "}")
        lines.append(
            "  partition: {for: \(duration(f.partitionFor)), heartbeat: \(duration(f.heartbeat))"
                + (drawn && !f.partitionAt.isEmpty ? ", at: \(times(f.partitionAt))" : "") + "}")
        lines.append(
            "  broker-node-kill: {nodes: \(f.brokerNodes), down-for: \(duration(f.brokerNodeDownFor)), "
                + "failover: \(duration(f.brokerFailover)), election: \(duration(f.brokerElection))"
                + (drawn && !f.brokerNodeKillAt.isEmpty ? ", at: \(times(f.brokerNodeKillAt))" : "") + "}")
        if f.poison > 0 { lines.append("  poison: \(f.poison)") }
        if drawn {
            if !f.hostCrashAt.isEmpty {
                lines.append("  host-crash: {at: \(times(f.hostCrashAt)), down-for: \(duration(f.hostDownFor))}")
            }
            if !f.databaseRestartAt.isEmpty {
                lines.append("  database-restart: {at: \(times(f.databaseRestartAt)), down-for: \(duration(f.databaseDownFor))}")
            }
            if f.resultError + f.resultTimeout + f.resultLost > 0 {
                lines.append("  result-failure: {error-5xx: \(f.resultError), timeout: \(f.resultTimeout), lost: \(f.resultLost)}")
            }
            for (key, value) in [
                ("duplicate-delivery", f.duplicateDelivery), ("render-failure", f.renderFailure),
                ("refused-result", f.refusedResult), ("ack-lost", f.ackLost), ("failure-race", f.failureRace),
            ] where value > 0 {
                lines.append("  \(key): \(value)")
            }
            if f.corruptResult > 0 {
                lines.append(
                    "  corrupt-result: {probability: \(f.corruptResult), fields: [\(f.corruptFields.map(\.rawValue).joined(separator: ", "))], on-the-wire: \(f.corruptOnTheWire)}")
            }
            if f.putDelay > 0 { lines.append("  put-delay: {probability: \(f.putDelay), max: \(duration(f.putDelayMax))}") }
            if f.slowConfirm > 0 {
                lines.append("  slow-confirm: {probability: \(f.slowConfirm), max: \(duration(f.slowConfirmMax))}")
            }
            if f.disagreeingWorkers > 0 {
                lines.append("  disagreeing-workers: {workers: \(f.disagreeingWorkers), renders: \(f.disagreeingRenders.rawValue)}")
            }
            if f.smallWorkers > 0 { lines.append("  small-workers: {workers: \(f.smallWorkers), work-budget: \(f.smallWorkBudget)}") }
            if f.clockSkew > 0 { lines.append("  clock-skew: \(duration(f.clockSkew))") }
            if f.deletion > 0 { lines.append("  delete: {probability: \(f.deletion), within: \(duration(f.deleteWithin))}") }
            if f.repeatedCreate > 0 {
                lines.append("  repeated-create: {probability: \(f.repeatedCreate), within: \(duration(f.repeatWithin))}")
            }
            if f.wrongTokenWorkers > 0 {
                lines.append("  wrong-token: {workers: \(f.wrongTokenWorkers), for: \(duration(f.wrongTokenFor))}")
            }
            if !f.workerStopAt.isEmpty {
                lines.append("  worker-stop: {at: \(times(f.workerStopAt)), down-for: \(duration(f.workerStopDownFor))}")
            }
        } else if let schedule = f.schedule {
            lines.append("  schedule:")
            lines += schedule.map { "    - \($0.yaml)" }
            if schedule.isEmpty { lines[lines.count - 1] = "  schedule: []" }
        }
        return lines
    }

    static func setting(_ setting: Setting) -> String {
        setting.range.lowerBound == setting.range.upperBound
            ? "\(setting.range.lowerBound)" : "[\(setting.range.lowerBound), \(setting.range.upperBound)]"
    }
}
