import FaafoSim
import Testing

/// Runs every shipped scenario (the large ones with fewer tasks, to keep the suite lean;
/// `faafo-sim run` measures them whole) and checks what each must show. Serialized: each
/// case keeps a core busy, and beside the rest of the suite they would starve in-process
/// tests of their time bounds.
@Suite(.serialized) struct SimulationTests {
    /// Enough tasks for every fault to show, few enough for a debug build.
    static let taskCap = 1_500

    static func run(_ name: String, seed: UInt64? = nil, tasks: Int? = nil) async throws -> SimulationReport {
        let scenario = try ScenarioFiles.load(name)
        let simulation = try Simulation(
            scenario: scenario, seed: seed ?? scenario.seed ?? 1,
            taskCount: tasks ?? min(scenario.workload.tasks, taskCap), scenarioFile: ScenarioFiles.path(name))
        return await simulation.run()
    }

    /// Every shipped scenario gives the same report twice, and, but for the one made to
    /// fail, passes at its own seed, so reaching every probe it names (`expect: reached`).
    @Test(arguments: ScenarioFiles.all)
    func sameScenarioAndSeedGiveTheSameReport(name: String) async throws {
        let first = try await Self.run(name)
        let second = try await Self.run(name)
        #expect(first.deterministicPart.json() == second.deterministicPart.json())
        #expect(first.counters.events > 0)
        guard name != "broken-worker.yaml" else { return }
        #expect(first.verdict == .pass, "\(first.failures)")
        for probe in try ScenarioFiles.load(name).expect.reached { #expect(first.probes?[probe] != nil, "\(probe)") }
    }

    /// Late confirms let workers finish tasks whose creates have not returned, and outbox
    /// passes run while creates wait; no task is published more than its causes explain.
    @Test func lateConfirmsInterleaveCreatesWithTheRestOfTheRun() async throws {
        let report = try await Self.run("slow-confirms.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect((report.probes?["run.done-before-create-returned"] ?? 0) > 0)
        #expect(report.tasks.completed == report.tasks.total)
    }

    @Test func aDifferentSeedGivesADifferentRun() async throws {
        let first = try await Self.run("worker-crashes.yaml", seed: 100)
        let second = try await Self.run("worker-crashes.yaml", seed: 101)
        #expect(first.deterministicPart.json() != second.deterministicPart.json())
    }

    @Test func smokeCompletesEveryTaskWithItsChecksum() async throws {
        let report = try await Self.run("smoke.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.tasks.completed == report.tasks.total)
        #expect(report.tasks.wrongChecksum == 0)
        #expect(report.counters.redeliveries == 0)
        #expect(report.simulated?.latency.count == report.tasks.total)
    }

    @Test func redeliversTasksWhenWorkersCrashAtEveryStep() async throws {
        let report = try await Self.run("worker-crashes.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        for step in Scenario.CrashStep.allCases {
            #expect(report.faults.workerCrashes[step.rawValue, default: 0] > 0, "no crash \(step.rawValue)")
        }
        #expect(report.counters.redeliveries > 0)
        #expect(report.tasks.lost == 0 && report.tasks.storedTwice == 0)
    }

    @Test func aResultStoredBeforeTheCrashIsNotStoredTwice() async throws {
        let report = try await Self.run("duplicate-results.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.faults.workerCrashes["after-result-before-ack", default: 0] > 0)
        #expect(report.faults.resultErrors > 0 && report.faults.resultTimeouts > 0)
        #expect(report.faults.duplicateDeliveries > 0)
        #expect(report.counters.redeliveries > 0)
        #expect(report.tasks.storedTwice == 0 && report.tasks.renderedDifferently == 0)
    }

    @Test func tasksLeftInTheOutboxByAControllerCrashComplete() async throws {
        let report = try await Self.run("controller-restart.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.faults.controllerCrashes > 0)
        #expect(report.counters.cutOffCreates > 0)
        #expect(report.counters.createErrors == 0)
        #expect(report.tasks.completed == report.tasks.total)
    }

    /// While the broker restarts, creates are stored and wait in the outbox; the workers'
    /// channels close, what they held is delivered again and their late acks fail.
    @Test func aBrokerRestartLosesNothingAndStoresNothingTwice() async throws {
        let report = try await Self.run("broker-restart.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.faults.brokerRestarts == 2)
        #expect(report.counters.redeliveries > 0 && report.counters.staleSettles > 0)
        #expect(report.tasks.completed == report.tasks.total && report.tasks.storedTwice == 0)
        // Tasks created while it was down waited for the outbox (a 5 s grace, every 2 s).
        #expect((report.simulated?.latency.max ?? 0) > 5_000)
    }

    /// A crashed host's workers all die at once; a host cut off past the heartbeat loses
    /// what it held to the other hosts, and its late results change nothing.
    @Test func aHostCrashAndAPartitionLoseNothingAndTheLateResultsChangeNothing() async throws {
        let report = try await Self.run("host-faults.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.settings.hosts == 3 && report.settings.workers == 6)
        #expect(report.faults.hostCrashes == 1 && report.faults.workerCrashes.isEmpty)
        #expect(report.faults.partitions == 1 && report.faults.partitionsNoticed == 1)
        #expect(report.counters.redeliveries > 0)
        // A late result reached the API and the acknowledgement of its closed consumer failed.
        #expect(report.counters.resultAttempts > report.tasks.total && report.counters.staleSettles > 0)
        #expect(report.tasks.completed == report.tasks.total && report.tasks.storedTwice == 0)
    }

    /// A partition shorter than the heartbeat goes unnoticed: nothing is redelivered, the
    /// host's results and acknowledgements only wait for the link.
    @Test func aPartitionShorterThanTheHeartbeatRedeliversNothing() async throws {
        var scenario = try ScenarioFiles.load("host-faults.yaml")
        scenario.faults.hostCrashAt = []
        scenario.faults.partitionFor = scenario.faults.heartbeat / 2
        let report = await (try Simulation(scenario: scenario, seed: 2)).run()
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.faults.partitions == 1 && report.faults.partitionsNoticed == 0)
        #expect(report.counters.redeliveries == 0 && report.counters.staleSettles == 0)
    }

    /// While the database restarts, creates and results are refused (503) and made again.
    @Test func aDatabaseRestartLosesNothing() async throws {
        let report = try await Self.run("database-restart.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.faults.databaseRestarts == 2)
        #expect(report.counters.createErrors > 0)
        #expect(report.counters.resultAttempts > report.tasks.total, "results were delivered again")
        #expect(report.tasks.completed == report.tasks.total && report.tasks.storedTwice == 0)
    }

    /// A quorum queue's leader killed twice: publishes nacked during each election are
    /// published again, the killed nodes' consumers fail over, what they held is redelivered.
    @Test func brokerNodeKillsLoseNothing() async throws {
        let report = try await Self.run("broker-node-kill.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.faults.brokerNodeKills == 2 && report.faults.leaderElections == 2)
        #expect(report.faults.nackedPublishes > 0)
        #expect(report.counters.redeliveries > 0)
        #expect(report.tasks.completed == report.tasks.total && report.tasks.storedTwice == 0)
    }

    /// A kill that would leave no majority of broker nodes up is skipped.
    @Test func aBrokerNodeKillThatWouldLoseTheMajorityIsSkipped() async throws {
        var scenario = try ScenarioFiles.load("broker-node-kill.yaml")
        scenario.faults.brokerNodeDownFor = 10 * ticksPerSecond
        let report = await (try Simulation(scenario: scenario, seed: 6)).run()
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.faults.brokerNodeKills == 1)
    }

    @Test func poisonMessagesAreDeadLetteredAndNoTaskIs() async throws {
        let report = try await Self.run("poison.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.poison.published == 30)
        #expect(report.poison.deadLettered == 30)
        #expect(report.tasks.deadLettered == 0)
    }

    @Test func aRenderPastTheConsumerTimeoutIsRedeliveredAndStoredOnce() async throws {
        let report = try await Self.run("slow-worker.yaml")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.faults.slowRenders > 0)
        #expect(report.faults.consumerTimeouts > 0)
        #expect(report.counters.staleSettles > 0)
        #expect(report.tasks.storedTwice == 0)
    }

    @Test func aWorkerThatAcksBeforeStoringFailsTheChecker() async throws {
        let report = try await Self.run("broken-worker.yaml")
        #expect(report.verdict == .correctness)
        #expect(report.tasks.lost > 0)
        #expect(report.failures.contains { $0.contains("lost") })
    }

    @Test func aSwarmListsEverySeed() async throws {
        let scenario = try ScenarioFiles.load("smoke.yaml")
        let outcomes = try await Swarm.run(
            scenario, seeds: 1...4, taskCount: 30, scenarioFile: "smoke.yaml", parallelism: 2)
        #expect(outcomes.map(\.seed) == [1, 2, 3, 4])
        #expect(outcomes.allSatisfy { $0.verdict == .pass })
    }

    @Test func seedRangesParse() {
        #expect(Swarm.seeds("1..1000") == 1...1000)
        #expect(Swarm.seeds("7") == 7...7)
        #expect(Swarm.seeds("9..3") == nil)
        #expect(Swarm.seeds("a..b") == nil)
    }
}
