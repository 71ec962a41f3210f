import FaafoCluster
@testable import FaafoClusterScenario
@testable import FaafoSim
import FaafoTestKit
import FaafoWire
import Foundation
import Testing

/// Scenario files played on real processes (`faafo-sim run --cluster`), judged by the
/// simulator's rules.
@Suite(.tags(.endToEnd, .rabbitMQ), .needs(.rabbitMQ), .timeLimit(.minutes(5)))
struct ClusterScenarioTests {
    static let scenarios = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Scenarios")

    static func load(_ name: String) throws -> (Scenario, String) {
        let path = scenarios.appending(path: name).path
        return (try Scenario.load(from: path), path)
    }

    /// The worker-crash scenario on 200 tasks: workers are SIGKILLed (at least three
    /// times) while they hold tasks, and every task is still stored once, right.
    @Test func theWorkerCrashScenarioPassesOnARealCluster() async throws {
        let (scenario, path) = try Self.load("worker-crashes.yaml")
        let run = try ClusterScenario(scenario: scenario, seed: 2, taskCount: 200, scenarioFile: path)
        let report = try await run.run(executables: try LocalCluster.executablesFolder(), startBroker: false).report

        #expect(report.verdict == .pass, "\(report.summary)")
        #expect(report.mode == .cluster)
        #expect(report.tasks.completed == 200)
        #expect(report.tasks.storedTwice == 0 && report.tasks.lost == 0 && report.tasks.wrongChecksum == 0)
        #expect((report.cluster?.faultsInjected["worker-kill"] ?? 0) >= 3, "\(report.summary)")
        #expect(report.faults.workerCrashes["sigkill"] == report.cluster?.faultsInjected["worker-kill"])
    }

    /// One seed, two modes: the simulation and the real cluster create the same tasks and
    /// store the same checksums for each.
    @Test func simulationAndClusterStoreTheSameChecksums() async throws {
        let (scenario, path) = try Self.load("smoke.yaml")
        let simulation = try Simulation(scenario: scenario, seed: 11, taskCount: 60, scenarioFile: path)
        let simulated = await simulation.run()
        #expect(simulated.verdict == .pass, "\(simulated.summary)")
        var inSimulation: [String: [String?]] = [:]
        for task in simulation.plan.tasks {
            let record = try #require(try await simulation.store.fetch(task.uuid))
            inSimulation[task.uuid] = [record.pixelChecksum, record.checksum]
        }

        let cluster = try ClusterScenario(scenario: scenario, seed: 11, taskCount: 60, scenarioFile: path)
        let outcome = try await cluster.run(executables: try LocalCluster.executablesFolder(), startBroker: false)
        #expect(outcome.report.verdict == .pass, "\(outcome.report.summary)")
        let onCluster = Dictionary(uniqueKeysWithValues: outcome.stored.map { ($0.uuid, [$0.pixelChecksum, $0.checksum]) })

        #expect(inSimulation.count == 60)
        #expect(inSimulation.values.allSatisfy { $0.allSatisfy { $0 != nil } })
        #expect(onCluster == inSimulation)
    }

    /// `--compare`: the simulation and the cluster of one seed agree on every outcome that
    /// must agree; redeliveries, which depend on when a SIGKILL lands, may differ.
    @Test func aComparisonOfTheWorkerCrashScenarioAgreesOnItsOutcomes() async throws {
        let (scenario, path) = try Self.load("worker-crashes.yaml")
        let simulated = await (try Simulation(scenario: scenario, seed: 2, taskCount: 120, scenarioFile: path)).run()
        let run = try ClusterScenario(scenario: scenario, seed: 2, taskCount: 120, scenarioFile: path)
        let outcome = try await run.run(executables: try LocalCluster.executablesFolder(), startBroker: false)
        let real = outcome.report
        let comparison = RunComparison(simulation: simulated, cluster: real)
        // The cluster's trace, read from its processes' logs: every task completed by the
        // API and rendered by a worker, and each SIGKILL the runner injected.
        let completed = Set(outcome.trace.filter { $0.event == "complete" }.compactMap(\.task))
        #expect(completed == Set(outcome.stored.map(\.uuid)))
        #expect(outcome.trace.contains { $0.event == "render" && $0.actor.hasPrefix("worker-") })
        #expect(
            outcome.trace.filter { $0.actor == "fault" && $0.event == "worker-kill" }.count
                == real.cluster?.faultsInjected["worker-kill"])
        #expect(outcome.trace.map(\.tick) == outcome.trace.map(\.tick).sorted())
        #expect(comparison.disagreements.isEmpty, "\(comparison.lines.joined(separator: "\n"))")
        #expect(comparison.rows.contains { $0.what == "completed" && $0.simulation == "120" && $0.cluster == "120" })
        #expect(comparison.lines.last == "  the two agree on every outcome")
    }

    /// Poison published beside the API (half not JSON, half outside the render contract)
    /// all ends in the real dead-letter queue, and no real task does.
    @Test func thePoisonScenarioDeadLettersEveryPoisonMessage() async throws {
        let (scenario, path) = try Self.load("poison.yaml")
        let run = try ClusterScenario(scenario: scenario, seed: 5, taskCount: 60, scenarioFile: path)
        let report = try await run.run(executables: try LocalCluster.executablesFolder(), startBroker: false).report

        #expect(report.verdict == .pass, "\(report.summary)")
        #expect(report.poison.published == scenario.faults.poison)
        #expect(report.poison.deadLettered == scenario.faults.poison)
        #expect(report.tasks.completed == 60 && report.tasks.deadLettered == 0)
    }

    /// The broker-restart scenario restarts this machine's RabbitMQ twice during the run,
    /// so it runs only with FAAFO_BROKER_RESTART_TESTS=1 (scripts/test runs it alone).
    @Test(.tags(.brokerRestart), .needs(.theBrokerToItself))
    func theBrokerRestartScenarioLosesNothingOnARealCluster() async throws {
        let (scenario, path) = try Self.load("broker-restart.yaml")
        // 540 tasks: both restarts (after 101 and 451 creates) fall in the fault phase, the first 486.
        let run = try ClusterScenario(scenario: scenario, seed: 10, taskCount: 540, scenarioFile: path)
        let report = try await run.run(executables: try LocalCluster.executablesFolder(), startBroker: false).report

        #expect(report.verdict == .pass, "\(report.summary)")
        #expect(report.faults.brokerRestarts == 2, "\(report.summary)")
        #expect(report.tasks.completed == 540 && report.tasks.storedTwice == 0)
    }

    /// The controller-restart scenario's crashes become API restarts (SIGKILL, then a new
    /// process on the same port and database); creates cut off are retried, none lost.
    @Test func controllerCrashesBecomeAPIRestarts() async throws {
        let (scenario, path) = try Self.load("controller-restart.yaml")
        let run = try ClusterScenario(scenario: scenario, seed: 4, taskCount: 300, scenarioFile: path)
        #expect(run.notes.contains { $0.contains("one faafo-api") })
        let report = try await run.run(executables: try LocalCluster.executablesFolder(), startBroker: false).report

        #expect(report.verdict == .pass, "\(report.summary)")
        #expect((report.cluster?.faultsInjected["api-restart"] ?? 0) >= 2, "\(report.summary)")
        #expect(report.tasks.completed == 300)
    }
}
