import FaafoController
import FaafoProbes
import Foundation
import Yams

extension Scenario {
    /// Reads a scenario file. Throws `ScenarioError` naming the line of the first problem.
    public static func load(from path: String) throws(ScenarioError) -> Scenario {
        // Through a FileHandle: String(contentsOfFile:) leaks a 4 KiB buffer for an empty
        // file (swift-foundation, Swift 6.3; found by Fuzz/FuzzScenario).
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ScenarioError(file: path, line: 0, "cannot read the scenario: no such file, or not readable")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw ScenarioError(file: path, line: 0, "cannot read the scenario: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, line: 0, "cannot read the scenario: it is not UTF-8 text")
        }
        return try Scenario(yaml: text, file: path)
    }

    /// Parses a scenario; `file` names it in errors.
    public init(yaml: String, file: String) throws(ScenarioError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ScenarioError(file: file, line: Self.line(of: error), "not valid YAML: \(error)")
        } catch {
            throw ScenarioError(file: file, line: 0, "not valid YAML: \(error)")
        }
        let reader = ScenarioReader(file: file)
        guard let root else { throw ScenarioError(file: file, line: 1, "the scenario is empty") }
        let top = try reader.mapping(root, "the scenario", keys: ["name", "seed", "workload", "cluster", "faults", "expect"])
        var name = file
        if let node = top["name"] { name = try reader.string(node, "name") }
        self.init(name: name)
        if let node = top["seed"] { seed = try reader.uint64(node, "seed") }
        if let node = top["workload"] { workload = try reader.workload(node) }
        if let node = top["cluster"] { cluster = try reader.cluster(node) }
        if let node = top["faults"] { faults = try reader.faults(node) }
        if let node = top["expect"] { expect = try reader.expectations(node) }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: 0
        }
    }
}

/// Walks a scenario's YAML nodes, checking keys and values; every error names its line.
struct ScenarioReader {
    let file: String

    func fail(_ node: Node, _ message: String) -> ScenarioError {
        ScenarioError(file: file, line: node.mark?.line ?? 0, message)
    }

    /// A mapping's values by key; a key outside `keys` (or repeated) is an error.
    func mapping(_ node: Node, _ context: String, keys: [String]) throws(ScenarioError) -> [String: Node] {
        guard let mapping = node.mapping else { throw fail(node, "\(context) must be a mapping of keys to values") }
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string, keys.contains(name) else {
                throw fail(
                    key, "unknown key '\(key.string ?? "?")' in \(context); expected one of: \(keys.joined(separator: ", "))")
            }
            guard values[name] == nil else { throw fail(key, "'\(name)' appears twice in \(context)") }
            values[name] = value
        }
        return values
    }

    func string(_ node: Node, _ field: String) throws(ScenarioError) -> String {
        guard let scalar = node.scalar else { throw fail(node, "\(field) must be a string") }
        return scalar.string
    }

    func int(_ node: Node, _ field: String, in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        guard let value = node.scalar.flatMap({ Int($0.string.replacingOccurrences(of: "_", with: "")) }) else {
            throw fail(node, "\(field) must be a whole number, got '\(node.scalar?.string ?? "a collection")'")
        }
        guard range.contains(value) else {
            throw fail(node, "\(field) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    func uint64(_ node: Node, _ field: String) throws(ScenarioError) -> UInt64 {
        guard let text = node.scalar?.string, let value = UInt64(text) else {
            throw fail(node, "\(field) must be a whole number from 0 to 2^64-1, got '\(node.scalar?.string ?? "?")'")
        }
        return value
    }

    func number(_ node: Node, _ field: String) throws(ScenarioError) -> Double {
        guard let value = node.scalar.flatMap({ Double($0.string) }), value.isFinite else {
            throw fail(node, "\(field) must be a finite number, got '\(node.scalar?.string ?? "a collection")'")
        }
        return value
    }

    func probability(_ node: Node, _ field: String) throws(ScenarioError) -> Double {
        let value = try number(node, field)
        guard (0...1).contains(value) else { throw fail(node, "\(field) is a probability: 0 to 1, got \(value)") }
        return value
    }

    func bool(_ node: Node, _ field: String) throws(ScenarioError) -> Bool {
        guard let text = node.scalar?.string, let value = ["true": true, "false": false][text] else {
            throw fail(node, "\(field) must be true or false, got '\(node.scalar?.string ?? "a collection")'")
        }
        return value
    }

    /// `250ms`, `2s`, `100us`, or a number of microseconds.
    func duration(_ node: Node, _ field: String) throws(ScenarioError) -> Tick {
        let text = node.scalar?.string ?? ""
        let units: [(String, Double)] = [("us", 1), ("ms", 1_000), ("s", 1_000_000)]
        var amount = text
        var scale = 1.0
        for (suffix, ticks) in units where text.hasSuffix(suffix) {
            amount = String(text.dropLast(suffix.count))
            scale = ticks
            break
        }
        guard let value = Double(amount), value.isFinite, value >= 0, value * scale < 1e15 else {
            throw fail(node, "\(field) must be a duration such as 250ms, 2s or 100us, got '\(text)'")
        }
        return Tick((value * scale).rounded())
    }

    /// A whole number, or `[low, high]` to draw it from with the seed.
    func setting(_ node: Node, _ field: String, in range: ClosedRange<Int>) throws(ScenarioError) -> Scenario.Setting {
        guard let sequence = node.sequence else { return Scenario.Setting(try int(node, field, in: range)) }
        let bounds = Array(sequence)
        guard bounds.count == 2 else { throw fail(node, "\(field) must be a number or [low, high]") }
        let low = try int(bounds[0], field, in: range)
        let high = try int(bounds[1], field, in: range)
        guard low <= high else { throw fail(node, "\(field): low \(low) is above high \(high)") }
        return Scenario.Setting(low...high)
    }

    func workload(_ node: Node) throws(ScenarioError) -> Scenario.Workload {
        let keys = ["tasks", "width", "height", "iterations", "plane", "distinct", "fixture", "arrival", "only", "explicit-c", "original-clients"]
        let values = try mapping(node, "workload", keys: keys)
        var workload = Scenario.Workload()
        if let node = values["tasks"] { workload.tasks = try int(node, "workload.tasks", in: 1...10_000_000) }
        if let node = values["width"] { workload.width = try setting(node, "workload.width", in: 2...16384) }
        if let node = values["height"] { workload.height = try setting(node, "workload.height", in: 2...16384) }
        if let node = values["iterations"] {
            workload.iterations = try setting(node, "workload.iterations", in: 1...100_000)
        }
        if let node = values["plane"] {
            guard let sequence = node.sequence, sequence.count == 4 else {
                throw fail(node, "workload.plane must be [xa, xb, ya, yb]")
            }
            var plane: [Double] = []
            for value in sequence { plane.append(try number(value, "workload.plane")) }
            guard plane[0] != plane[1], plane[2] != plane[3] else {
                throw fail(node, "workload.plane must have xa ≠ xb and ya ≠ yb")
            }
            workload.plane = plane
        }
        if let node = values["distinct"] { workload.distinct = try int(node, "workload.distinct", in: 1...1_000_000) }
        if let node = values["fixture"] { workload.fixture = try string(node, "workload.fixture") }
        if let node = values["arrival"] { workload.arrival = try arrival(node) }
        if let node = values["explicit-c"] { workload.explicitC = try probability(node, "workload.explicit-c") }
        if let node = values["original-clients"] {
            workload.originalClients = try probability(node, "workload.original-clients")
        }
        if let node = values["only"] {
            guard let sequence = node.sequence else { throw fail(node, "workload.only must be a list of task numbers") }
            var only: [Int] = []
            for item in sequence {
                let number = try int(item, "workload.only", in: 0...(workload.tasks - 1))
                guard only.last.map({ $0 < number }) ?? true else {
                    throw fail(item, "workload.only must list task numbers in increasing order, each once")
                }
                only.append(number)
            }
            workload.only = only
        }
        return workload
    }

    func arrival(_ node: Node) throws(ScenarioError) -> Scenario.Arrival {
        let values = try mapping(node, "workload.arrival", keys: ["pattern", "rate"])
        guard let patternNode = values["pattern"] else { throw fail(node, "workload.arrival needs a pattern") }
        let pattern = try string(patternNode, "workload.arrival.pattern")
        func rate() throws(ScenarioError) -> Double {
            guard let rateNode = values["rate"] else { throw fail(node, "a \(pattern) arrival needs a rate (tasks a second)") }
            let value = try number(rateNode, "workload.arrival.rate")
            guard value > 0 else { throw fail(rateNode, "workload.arrival.rate must be above 0, got \(value)") }
            return value
        }
        switch pattern {
        case "burst":
            if let rateNode = values["rate"] { throw fail(rateNode, "a burst arrival takes no rate") }
            return .burst
        case "uniform": return .uniform(rate: try rate())
        case "poisson": return .poisson(rate: try rate())
        default: throw fail(patternNode, "workload.arrival.pattern must be burst, uniform or poisson, got '\(pattern)'")
        }
    }

    func cluster(_ node: Node) throws(ScenarioError) -> Scenario.Cluster {
        let keys = ["controllers", "workers", "concurrency", "prefetch", "network", "worker-bug", "hosts"]
        let values = try mapping(node, "cluster", keys: keys)
        var cluster = Scenario.Cluster()
        if let node = values["controllers"] { cluster.controllers = try setting(node, "cluster.controllers", in: 1...64) }
        if let node = values["workers"] { cluster.workers = try setting(node, "cluster.workers", in: 1...100_000) }
        if let node = values["concurrency"] { cluster.concurrency = try setting(node, "cluster.concurrency", in: 1...1024) }
        if let node = values["prefetch"] { cluster.prefetch = try setting(node, "cluster.prefetch", in: 1...65535) }
        if let node = values["network"] { cluster.network = try duration(node, "cluster.network") }
        if let node = values["hosts"] { cluster.hosts = try setting(node, "cluster.hosts", in: 1...100_000) }
        if let node = values["worker-bug"] {
            let name = try string(node, "cluster.worker-bug")
            guard let bug = Scenario.WorkerBug(rawValue: name) else {
                let known = Scenario.WorkerBug.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail(node, "cluster.worker-bug must be one of: \(known); got '\(name)'")
            }
            cluster.workerBug = bug
        }
        return cluster
    }

    func faults(_ node: Node) throws(ScenarioError) -> Scenario.Faults {
        let keys = [
            "until", "worker-crash", "slow-worker", "controller-crash", "broker-restart", "result-failure", "poison",
            "duplicate-delivery", "host-crash", "partition", "database-restart", "broker-node-kill", "render-failure",
            "corrupt-result", "refused-result", "put-delay", "slow-confirm", "ack-lost", "failure-race", "disagreeing-workers",
            "small-workers", "clock-skew", "delete", "repeated-create", "worker-stop", "wrong-token", "schedule",
        ]
        let values = try mapping(node, "faults", keys: keys)
        var faults = Scenario.Faults()
        if let node = values["until"] { faults.until = try duration(node, "faults.until") }
        if let node = values["worker-crash"] {
            let steps = Scenario.CrashStep.allCases.map(\.rawValue)
            let crash = try mapping(node, "faults.worker-crash", keys: steps + ["restart-after"])
            for step in Scenario.CrashStep.allCases {
                if let value = crash[step.rawValue] {
                    faults.workerCrash[step] = try probability(value, "faults.worker-crash.\(step.rawValue)")
                }
            }
            if let value = crash["restart-after"] {
                faults.workerRestart = try duration(value, "faults.worker-crash.restart-after")
            }
        }
        if let node = values["slow-worker"] {
            let slow = try mapping(node, "faults.slow-worker", keys: ["probability", "stall", "consumer-timeout"])
            if let value = slow["probability"] { faults.slowWorker = try probability(value, "faults.slow-worker.probability") }
            if let value = slow["stall"] { faults.slowStall = try duration(value, "faults.slow-worker.stall") }
            if let value = slow["consumer-timeout"] {
                faults.consumerTimeout = try duration(value, "faults.slow-worker.consumer-timeout")
            }
        }
        if let node = values["controller-crash"] {
            let crash = try mapping(node, "faults.controller-crash", keys: ["at", "every", "down-for", "points"])
            if let value = crash["points"] {
                let names = Scenario.ControllerPoint.allCases.map(\.rawValue)
                let points = try mapping(value, "faults.controller-crash.points", keys: names)
                for point in Scenario.ControllerPoint.allCases {
                    if let chance = points[point.rawValue] {
                        faults.controllerCrashPoints[point] = try probability(
                            chance, "faults.controller-crash.points.\(point.rawValue)")
                    }
                }
            }
            if let value = crash["at"] { faults.controllerCrashAt = try times(value, "faults.controller-crash.at") }
            if let value = crash["every"] {
                let every = try duration(value, "faults.controller-crash.every")
                guard every > 0 else { throw fail(value, "faults.controller-crash.every must be above 0") }
                faults.controllerCrashEvery = every
            }
            if let value = crash["down-for"] {
                faults.controllerDownFor = try duration(value, "faults.controller-crash.down-for")
            }
        }
        if let node = values["broker-restart"] {
            let restart = try mapping(node, "faults.broker-restart", keys: ["at", "down-for"])
            if let value = restart["at"] { faults.brokerRestartAt = try times(value, "faults.broker-restart.at") }
            if let value = restart["down-for"] {
                faults.brokerDownFor = try duration(value, "faults.broker-restart.down-for")
            }
        }
        if let node = values["host-crash"] {
            let crash = try mapping(node, "faults.host-crash", keys: ["at", "down-for"])
            if let value = crash["at"] { faults.hostCrashAt = try times(value, "faults.host-crash.at") }
            if let value = crash["down-for"] { faults.hostDownFor = try duration(value, "faults.host-crash.down-for") }
        }
        if let node = values["partition"] {
            let partition = try mapping(node, "faults.partition", keys: ["at", "for", "heartbeat"])
            if let value = partition["at"] { faults.partitionAt = try times(value, "faults.partition.at") }
            if let value = partition["for"] { faults.partitionFor = try duration(value, "faults.partition.for") }
            if let value = partition["heartbeat"] {
                faults.heartbeat = try duration(value, "faults.partition.heartbeat")
                guard faults.heartbeat > 0 else { throw fail(value, "faults.partition.heartbeat must be above 0") }
            }
        }
        if let node = values["broker-node-kill"] {
            let kill = try mapping(node, "faults.broker-node-kill", keys: ["at", "nodes", "down-for", "failover", "election"])
            if let value = kill["at"] { faults.brokerNodeKillAt = try times(value, "faults.broker-node-kill.at") }
            if let value = kill["nodes"] { faults.brokerNodes = try int(value, "faults.broker-node-kill.nodes", in: 1...9) }
            if let value = kill["down-for"] {
                faults.brokerNodeDownFor = try duration(value, "faults.broker-node-kill.down-for")
            }
            if let value = kill["failover"] { faults.brokerFailover = try duration(value, "faults.broker-node-kill.failover") }
            if let value = kill["election"] { faults.brokerElection = try duration(value, "faults.broker-node-kill.election") }
        }
        if let node = values["database-restart"] {
            let restart = try mapping(node, "faults.database-restart", keys: ["at", "down-for"])
            if let value = restart["at"] { faults.databaseRestartAt = try times(value, "faults.database-restart.at") }
            if let value = restart["down-for"] {
                faults.databaseDownFor = try duration(value, "faults.database-restart.down-for")
            }
        }
        if let node = values["result-failure"] {
            let failure = try mapping(node, "faults.result-failure", keys: ["error-5xx", "timeout", "lost"])
            if let value = failure["error-5xx"] { faults.resultError = try probability(value, "faults.result-failure.error-5xx") }
            if let value = failure["timeout"] { faults.resultTimeout = try probability(value, "faults.result-failure.timeout") }
            if let value = failure["lost"] { faults.resultLost = try probability(value, "faults.result-failure.lost") }
        }
        if let node = values["poison"] { faults.poison = try int(node, "faults.poison", in: 0...1_000_000) }
        if let node = values["duplicate-delivery"] {
            faults.duplicateDelivery = try probability(node, "faults.duplicate-delivery")
        }
        if let node = values["render-failure"] { faults.renderFailure = try probability(node, "faults.render-failure") }
        if let node = values["refused-result"] { faults.refusedResult = try probability(node, "faults.refused-result") }
        if let node = values["ack-lost"] { faults.ackLost = try probability(node, "faults.ack-lost") }
        if let node = values["failure-race"] { faults.failureRace = try probability(node, "faults.failure-race") }
        if let node = values["corrupt-result"] {
            let corrupt = try mapping(node, "faults.corrupt-result", keys: ["probability", "fields", "on-the-wire"])
            if let value = corrupt["probability"] {
                faults.corruptResult = try probability(value, "faults.corrupt-result.probability")
            }
            if let value = corrupt["fields"] {
                faults.corruptFields = try names(value, "faults.corrupt-result.fields", Scenario.CorruptField.self)
            }
            if let value = corrupt["on-the-wire"] {
                faults.corruptOnTheWire = try probability(value, "faults.corrupt-result.on-the-wire")
            }
        }
        if let node = values["put-delay"] {
            let delay = try mapping(node, "faults.put-delay", keys: ["probability", "max"])
            if let value = delay["probability"] { faults.putDelay = try probability(value, "faults.put-delay.probability") }
            if let value = delay["max"] {
                faults.putDelayMax = try duration(value, "faults.put-delay.max")
                guard faults.putDelayMax > 0 else { throw fail(value, "faults.put-delay.max must be above 0") }
            }
        }
        if let node = values["slow-confirm"] {
            let slow = try mapping(node, "faults.slow-confirm", keys: ["probability", "max"])
            if let value = slow["probability"] {
                faults.slowConfirm = try probability(value, "faults.slow-confirm.probability")
            }
            if let value = slow["max"] {
                faults.slowConfirmMax = try duration(value, "faults.slow-confirm.max")
                let grace = Tick(OutboxPublisher.defaultGrace * Double(ticksPerSecond))
                guard faults.slowConfirmMax > 0, faults.slowConfirmMax < grace else {
                    throw fail(
                        value,
                        "faults.slow-confirm.max must be above 0 and below the outbox's grace (\(Int(OutboxPublisher.defaultGrace)) s): "
                            + "a confirm later than the grace is republished by design")
                }
            }
        }
        if let node = values["disagreeing-workers"] {
            let disagreeing = try mapping(node, "faults.disagreeing-workers", keys: ["workers", "renders"])
            if let value = disagreeing["workers"] {
                faults.disagreeingWorkers = try int(value, "faults.disagreeing-workers.workers", in: 0...100_000)
            }
            if let value = disagreeing["renders"] {
                faults.disagreeingRenders = try name(value, "faults.disagreeing-workers.renders", Scenario.DisagreeingRender.self)
            }
        }
        if let node = values["small-workers"] {
            let small = try mapping(node, "faults.small-workers", keys: ["workers", "work-budget"])
            if let value = small["workers"] { faults.smallWorkers = try int(value, "faults.small-workers.workers", in: 0...100_000) }
            if let value = small["work-budget"] {
                faults.smallWorkBudget = UInt64(try int(value, "faults.small-workers.work-budget", in: 1...Int.max))
            }
        }
        if let node = values["clock-skew"] { faults.clockSkew = try duration(node, "faults.clock-skew") }
        if let node = values["delete"] {
            let delete = try mapping(node, "faults.delete", keys: ["probability", "within"])
            if let value = delete["probability"] { faults.deletion = try probability(value, "faults.delete.probability") }
            if let value = delete["within"] { faults.deleteWithin = try duration(value, "faults.delete.within") }
        }
        if let node = values["repeated-create"] {
            let repeated = try mapping(node, "faults.repeated-create", keys: ["probability", "within"])
            if let value = repeated["probability"] {
                faults.repeatedCreate = try probability(value, "faults.repeated-create.probability")
            }
            if let value = repeated["within"] { faults.repeatWithin = try duration(value, "faults.repeated-create.within") }
        }
        if let node = values["worker-stop"] {
            let stop = try mapping(node, "faults.worker-stop", keys: ["at", "down-for"])
            if let value = stop["at"] { faults.workerStopAt = try times(value, "faults.worker-stop.at") }
            if let value = stop["down-for"] { faults.workerStopDownFor = try duration(value, "faults.worker-stop.down-for") }
        }
        if let node = values["wrong-token"] {
            let wrong = try mapping(node, "faults.wrong-token", keys: ["workers", "for"])
            if let value = wrong["workers"] { faults.wrongTokenWorkers = try int(value, "faults.wrong-token.workers", in: 0...100_000) }
            if let value = wrong["for"] { faults.wrongTokenFor = try duration(value, "faults.wrong-token.for") }
        }
        if let node = values["schedule"] { faults.schedule = try schedule(node) }
        return faults
    }

    /// One of an enumeration's names.
    func name<Name: RawRepresentable & CaseIterable>(_ node: Node, _ field: String, _: Name.Type) throws(ScenarioError)
        -> Name where Name.RawValue == String
    {
        let text = try string(node, field)
        guard let value = Name(rawValue: text) else {
            let known = Name.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail(node, "\(field) must be one of: \(known); got '\(text)'")
        }
        return value
    }

    /// A list of an enumeration's names, none twice.
    func names<Name: RawRepresentable & CaseIterable & Equatable>(_ node: Node, _ field: String, _ type: Name.Type)
        throws(ScenarioError) -> [Name] where Name.RawValue == String
    {
        guard let sequence = node.sequence, !sequence.isEmpty else { throw fail(node, "\(field) must be a list of names") }
        var found: [Name] = []
        for item in sequence {
            let value = try name(item, field, type)
            guard !found.contains(value) else { throw fail(item, "\(field) names \(value.rawValue) twice") }
            found.append(value)
        }
        return found
    }

    /// `faults.schedule`: explicit faults, each a mapping with `fault` naming its kind and
    /// the fields its kind declares (`FaultKind.declaration`).
    func schedule(_ node: Node) throws(ScenarioError) -> [ScheduledFault] {
        guard let sequence = node.sequence else { throw fail(node, "faults.schedule must be a list of faults") }
        var faults: [ScheduledFault] = []
        for item in sequence {
            guard let mapping = item.mapping, let kindNode = mapping["fault"] else {
                throw fail(item, "each fault of faults.schedule is a mapping with a `fault` key naming its kind")
            }
            let kind = try name(kindNode, "faults.schedule: fault", FaultKind.self)
            let declared = kind.declaration.fields
            let values = try self.mapping(item, "a \(kind.rawValue) fault", keys: ["fault"] + declared.map(\.name))
            var fault = ScheduledFault(kind)
            for field in declared {
                guard let value = values[field.name] else {
                    if field.required { throw fail(item, "a \(kind.rawValue) fault needs `\(field.name)`") }
                    continue
                }
                let label = "\(kind.rawValue).\(field.name)"
                switch field.slot {
                case .task: fault.task = try int(value, label, in: 0...10_000_000)
                case .occurrence: fault.occurrence = try int(value, label, in: 1...1_000_000)
                case .at: fault.at = try duration(value, label)
                case .point: fault.point = try string(value, label)
                case .target: fault.target = try int(value, label, in: 0...100_000)
                case .length: fault.length = try duration(value, label)
                case .flag: fault.flag = try bool(value, label)
                case .amount: fault.amount = UInt64(try int(value, label, in: 1...Int.max))
                }
            }
            if let problem = fault.problem { throw fail(item, "a \(kind.rawValue) fault: \(problem)") }
            faults.append(fault)
        }
        return faults
    }

    /// A list of times: `[100ms, 2s]`.
    func times(_ node: Node, _ field: String) throws(ScenarioError) -> [Tick] {
        guard let sequence = node.sequence else { throw fail(node, "\(field) must be a list of times") }
        var times: [Tick] = []
        for time in sequence { times.append(try duration(time, field)) }
        return times
    }

    func expectations(_ node: Node) throws(ScenarioError) -> Scenario.Expectations {
        let keys = ["all-complete", "lost", "duplicates-stored", "max-redeliveries", "min-throughput", "within", "reached"]
        let values = try mapping(node, "expect", keys: keys)
        var expect = Scenario.Expectations()
        if let node = values["all-complete"] { expect.allComplete = try bool(node, "expect.all-complete") }
        if let node = values["lost"] { expect.lost = try int(node, "expect.lost", in: 0...Int.max) }
        if let node = values["duplicates-stored"] {
            expect.duplicatesStored = try int(node, "expect.duplicates-stored", in: 0...Int.max)
        }
        if let node = values["max-redeliveries"] {
            expect.maxRedeliveries = try int(node, "expect.max-redeliveries", in: 0...Int.max)
        }
        if let node = values["min-throughput"] {
            let value = try number(node, "expect.min-throughput")
            guard value >= 0 else { throw fail(node, "expect.min-throughput must be 0 or more, got \(value)") }
            expect.minThroughput = value
        }
        if let node = values["within"] {
            expect.within = try duration(node, "expect.within")
            guard expect.within > 0 else { throw fail(node, "expect.within must be above 0") }
        }
        if let node = values["reached"] {
            guard let sequence = node.sequence else { throw fail(node, "expect.reached must be a list of probe names") }
            for item in sequence {
                let name = try string(item, "expect.reached")
                guard Probe.named(name) != nil else {
                    throw fail(item, "expect.reached: no probe is named '\(name)' (faafo-sim probes lists them)")
                }
                expect.reached.append(name)
            }
        }
        return expect
    }
}
