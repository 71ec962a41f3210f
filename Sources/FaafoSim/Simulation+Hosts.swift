import FaafoWorkerLogic

/// The faults that take out a host or a server rather than one process: a worker host's
/// crash, a partition of a worker host, a broker node's kill, a database restart. The multi-host mode plays the
/// same faults on test hosts; `faafo-sim run --cluster` on one machine approximates the
/// first two (`ClusterScenario`). Each is drawn where the scenario gives a time (the host
/// or node from the seed) and recorded, or played as its `faults.schedule` lists it.
extension Simulation {
    func isPartitioned(_ host: Int) -> Bool { (partitionedUntil[host] ?? 0) > now }

    /// The workers of `host`, up or down.
    func workers(on host: Int) -> [Int] { workers.indices.filter { workers[$0].host == host } }

    /// Every process of one host dies at once (the host drawn from the seed among those
    /// with a worker up); they come back together after `hostDownFor`.
    func crashHost(_ scheduled: ScheduledFault?) async {
        let host: Int
        let downFor: Tick
        if let scheduled {
            guard let target = scheduled.target, workers(on: target).contains(where: { !workers[$0].crashed }) else { return }
            host = target
            downFor = scheduled.length ?? scenario.faults.hostDownFor
        } else {
            guard faultsActive else { return }
            let candidates = Array(Set(workers.filter { !$0.crashed }.map(\.host))).sorted()
            guard !candidates.isEmpty else { return }
            host = candidates[hostRandom.int(in: 0...(candidates.count - 1))]
            downFor = scenario.faults.hostDownFor
        }
        faults.record(ScheduledFault(.hostCrash, at: now, target: host, length: downFor))
        faultCounts.hostCrashes += 1
        trace.note("host-crash", actor: "fault", task: nil, "host \(host) (every worker on it, SIGKILL)")
        for index in workers(on: host) where !workers[index].crashed {
            await killWorker(index, restartAfter: downFor)
        }
    }

    /// One worker host's link goes down for `partitionFor` (the host drawn from the seed
    /// among those not cut off already). Its workers stay up: they render on, and what
    /// needs the network waits for the link (`step`). If the partition outlasts the
    /// broker's `heartbeat`, the broker notices and closes the host's consumers.
    func partitionHost(_ scheduled: ScheduledFault?) {
        let host: Int
        let length: Tick
        if let scheduled {
            guard let target = scheduled.target, !isPartitioned(target) else { return }
            host = target
            length = scheduled.length ?? scenario.faults.partitionFor
        } else {
            guard faultsActive else { return }
            let candidates = Array(Set(workers.map(\.host))).sorted().filter { !isPartitioned($0) }
            guard !candidates.isEmpty else { return }
            host = candidates[hostRandom.int(in: 0...(candidates.count - 1))]
            length = scenario.faults.partitionFor
        }
        faults.record(ScheduledFault(.partition, at: now, target: host, length: length))
        faultCounts.partitions += 1
        trace.note("partition", actor: "fault", task: nil, "host \(host)'s link down for \(Self.seconds(length))")
        partitionedUntil[host] = now + length
        if length > scenario.faults.heartbeat { schedule(.noticePartition(host: host), after: scenario.faults.heartbeat) }
        schedule(.healPartition(host: host), after: length)
    }

    /// The broker closes a silent host's connections: every message its workers held goes
    /// back to the queue, marked redelivered, for the other hosts. The workers' jobs run
    /// on, and their acknowledgements, once the link is back, fail.
    func noticePartition(_ host: Int) async {
        guard isPartitioned(host) else { return }
        faultCounts.partitionsNoticed += 1
        noticedPartition.insert(host)
        trace.note("partition-noticed", actor: "broker", task: nil, "closed host \(host)'s connections")
        for index in workers(on: host) {
            guard let consumer = workers[index].consumer else { continue }
            workers[index].consumer = nil
            await consumer.close()
        }
    }

    /// The link is back: workers whose consumers the broker closed open new ones (as
    /// faafo-worker's queue reconnects), and every worker takes what its consumer holds.
    func healPartition(_ host: Int) {
        partitionedUntil[host] = nil
        trace.note("partition-healed", actor: "fault", task: nil, "host \(host)'s link is back")
        for index in workers(on: host) where !workers[index].crashed {
            if workers[index].consumer == nil { startWorker(index) } else { poll(index) }
        }
    }

    /// One broker node dies (SIGKILL), the nodes in turn: its clients' connections drop,
    /// and if it led the task queue the others elect a new leader while every publish is
    /// nacked. Skipped when it would leave no majority of nodes up.
    func killBrokerNode(_ scheduled: ScheduledFault?) async {
        let node: Int
        if let scheduled {
            guard let target = scheduled.target else { return }
            node = target
        } else {
            guard faultsActive else { return }
            node = brokerNodeKills % brokerNodesUp.count
            brokerNodeKills += 1
        }
        let upAfter = brokerNodesUp.filter { $0 }.count - (brokerNodesUp[node] ? 1 : 0)
        guard brokerNodesUp[node], upAfter * 2 > brokerNodesUp.count else { return }
        faults.record(ScheduledFault(.brokerNodeKill, at: now, target: node))
        faultCounts.brokerNodeKills += 1
        trace.note("node-kill", actor: "fault", task: nil, "broker node \(node + 1)\(node == queueLeader ? ", the queue's leader" : "")")
        brokerNodesUp[node] = false
        schedule(.brokerNodeBack(node: node), after: scenario.faults.brokerNodeDownFor)
        if node == queueLeader, let next = nextLiveBrokerNode(after: node) {
            faultCounts.leaderElections += 1
            queueLeader = next
            broker.nackPublishes(until: now + scenario.faults.brokerElection)
        }
        for index in workers.indices where workers[index].brokerNode == node {
            guard let consumer = workers[index].consumer else { continue }
            workers[index].consumer = nil
            await consumer.close()
            schedule(.failOver(worker: index), after: scenario.faults.brokerFailover)
        }
    }

    /// The worker connects to the next node that is up (as faafo-worker tries the next
    /// broker of its transport URL) and consumes again.
    func failOver(_ index: Int) {
        guard let node = nextLiveBrokerNode(after: workers[index].brokerNode) else { return }
        workers[index].brokerNode = node
        guard !workers[index].crashed, !isPartitioned(workers[index].host) else { return }
        startWorker(index)
    }

    func nextLiveBrokerNode(after node: Int) -> Int? {
        let count = brokerNodesUp.count
        return (1...count).map { (node + $0) % count }.first { brokerNodesUp[$0] }
    }

    /// The database restarts: every store call fails until `databaseBack`.
    func restartDatabase(_ scheduled: ScheduledFault?) {
        guard scheduled != nil || faultsActive, !store.isDown else { return }
        let downFor = scheduled?.length ?? scenario.faults.databaseDownFor
        faults.record(ScheduledFault(.databaseRestart, at: now, length: downFor))
        faultCounts.databaseRestarts += 1
        trace.note("database-restart", actor: "fault", task: nil, "down for \(Self.seconds(downFor))")
        store.isDown = true
        schedule(.databaseBack, after: downFor)
    }
}

extension TaskSteps.Action {
    /// Whether the action talks to the API or the broker.
    var needsTheNetwork: Bool {
        switch self {
        case .deliver, .reportFailure, .acknowledge, .reject: true
        case .render, .wait, .finish: false
        }
    }
}
