@testable import FaafoCluster
@testable import FaafoClusterScenario
@testable import FaafoSim
import FaafoWire
import FractalJob
import Foundation
import Testing

/// How a scenario becomes a plan for real processes, checked without starting any: the
/// same tasks as the simulation, the faults translated and drawn from the seed.
@Suite struct ClusterScenarioPlanTests {
    @Test func theClusterCreatesTheSimulationsTasksWithTheirArrivals() throws {
        let scenario = try ScenarioFiles.load("smoke.yaml")
        let simulation = try Simulation(scenario: scenario, seed: 8, taskCount: 50)
        let cluster = try ClusterScenario(scenario: scenario, seed: 8, taskCount: 50)

        #expect(cluster.plan.tasks.map(\.uuid) == simulation.plan.tasks.map(\.uuid))
        #expect(cluster.plan.tasks.map(\.fractal.width) == simulation.plan.tasks.map(\.request.fractal.width))
        // Uniform at 2000 a second: 500 µs apart.
        #expect(cluster.plan.arrivals?.prefix(3) == [.zero, .microseconds(500), .microseconds(1000)])
        #expect(cluster.plan.workers == simulation.settings.workers)
        #expect(cluster.plan.faults.isEmpty)
    }

    @Test func workerCrashesBecomeKillsDrawnFromTheSeedInTheFaultPhase() throws {
        let scenario = try ScenarioFiles.load("worker-crashes.yaml")
        let first = try ClusterScenario(scenario: scenario, seed: 2, taskCount: 200)
        let second = try ClusterScenario(scenario: scenario, seed: 2, taskCount: 200)
        #expect(first.plan.faults == second.plan.faults)
        #expect(try ClusterScenario(scenario: scenario, seed: 3, taskCount: 200).plan.faults != first.plan.faults)

        // Four steps at 2 % each over the first 180 tasks: 14 expected, all kills.
        #expect((5...30).contains(first.plan.faults.count))
        for fault in first.plan.faults {
            guard case .killWorker(let worker, .afterCreates(let count), let restart) = fault else {
                Issue.record("not a timed kill: \(fault)")
                continue
            }
            #expect((0..<first.settings.workers).contains(worker))
            #expect((1...180).contains(count))
            #expect(restart == .milliseconds(200))
        }
    }

    @Test func controllerCrashesBecomeAPIRestartsAfterTheTasksThatArrivedBeforeThem() throws {
        // Every 100 ms at 1000 tasks a second, during the first 90 % of 800 tasks.
        let cluster = try ClusterScenario(scenario: try ScenarioFiles.load("controller-restart.yaml"), seed: 4)
        #expect(cluster.plan.faults == (1...7).map { .restartAPI(at: .afterCreates($0 * 100 + 1)) })
        #expect(cluster.settings.controllers == 1)
        #expect(cluster.notes.contains { $0.contains("one faafo-api instead of 2 controllers") })
    }

    @Test func brokerRestartsRestartTheRealBrokerAfterTheTasksThatArrivedBeforeThem() throws {
        // At 100 ms and 450 ms, at 1000 tasks a second.
        let cluster = try ClusterScenario(scenario: try ScenarioFiles.load("broker-restart.yaml"), seed: 10)
        #expect(cluster.plan.faults == [.restartBroker(at: .afterCreates(101)), .restartBroker(at: .afterCreates(451))])
        #expect(cluster.notes.contains { $0.contains("every other user of it is cut off too") })
    }

    /// A host crash kills every worker of one host, a partition stops them for its length,
    /// each after the tasks that arrived before it.
    @Test func hostFaultsBecomeKillsAndPausesOfEveryWorkerOfTheHost() throws {
        let cluster = try ClusterScenario(scenario: try ScenarioFiles.load("host-faults.yaml"), seed: 2)
        var kills: [Int] = []
        var pauses: [Int] = []
        for fault in cluster.plan.faults {
            switch fault {
            case .killWorker(let worker, .afterCreates(151), .some(.milliseconds(300))): kills.append(worker)
            case .pauseWorker(let worker, .afterCreates(251), .milliseconds(600)): pauses.append(worker)
            default: Issue.record("unexpected \(fault)")
            }
        }
        // Six workers on three hosts: each host has two, i and i + 3.
        #expect(kills.count == 2 && kills[1] == kills[0] + 3)
        #expect(pauses.count == 2 && pauses[1] == pauses[0] + 3)
        #expect(cluster.notes.contains { $0.contains("SIGSTOP of the host's workers") })
    }

    /// On test hosts a host crash, a partition and a broker node kill are real ones; the
    /// tasks are the simulation's and the one-machine cluster's, uuid for uuid.
    @Test func onTestHostsHostFaultsAreRealAndTheTasksTheSame() throws {
        var scenario = try ScenarioFiles.load("multi-host.yaml")
        let onHosts = try ClusterScenario(scenario: scenario, seed: 12, onHosts: true)
        let simulation = try Simulation(scenario: scenario, seed: 12)
        #expect {
            _ = try ClusterScenario(scenario: scenario, seed: 12)
        } throws: { "\($0)".contains("broker-node-kill") }
        scenario.faults.brokerNodeKillAt = []
        let onOneMachine = try ClusterScenario(scenario: scenario, seed: 12)
        #expect(onHosts.plan.tasks == onOneMachine.plan.tasks)
        #expect(onHosts.plan.tasks.map(\.uuid) == simulation.plan.tasks.map(\.request.uuid))
        #expect(onHosts.brokerHosts == 3 && onOneMachine.brokerHosts == 0)
        guard onHosts.plan.faults.count == 3,
            case .crashHost(let crashed, .afterCreates(51), .seconds(1)) = onHosts.plan.faults[0],
            case .partitionHost(let cut, .afterCreates(121), .seconds(8)) = onHosts.plan.faults[1],
            case .killBrokerNode(0, .afterCreates(201), .seconds(3)) = onHosts.plan.faults[2]
        else {
            Issue.record("unexpected \(onHosts.plan.faults)")
            return
        }
        #expect((0..<3).contains(crashed) && (0..<3).contains(cut))
        #expect(onHosts.notes.contains { $0.contains("on test hosts") })
    }

    /// On test hosts a controller crash is an API host's crash behind the balancer, and a
    /// database restart a real one of PostgreSQL on its own host.
    @Test func onTestHostsControllerCrashesAndDatabaseRestartsAreReal() throws {
        let scenario = try ScenarioFiles.load("balanced-hosts.yaml")
        let onHosts = try ClusterScenario(scenario: scenario, seed: 21, onHosts: true)
        #expect(onHosts.apiHosts == 2 && onHosts.settings.controllers == 2 && onHosts.brokerHosts == 0)
        #expect(
            onHosts.plan.faults == [
                .crashAPIHost(index: 0, at: .afterCreates(101), restartAfter: .seconds(2)),
                .restartDatabase(at: .afterCreates(251), downFor: .milliseconds(500)),
            ])
        #expect {
            _ = try ClusterScenario(scenario: scenario, seed: 21)
        } throws: { "\($0)".contains("database-restart") }
    }

    @Test func poisonIsPublishedBesideTheAPI() throws {
        let scenario = try ScenarioFiles.load("poison.yaml")
        let cluster = try ClusterScenario(scenario: scenario, seed: 5)
        let published = cluster.plan.faults.compactMap { fault -> String? in
            if case .publish(_, let id, _) = fault { id } else { nil }
        }
        #expect(published == (0..<30).map { "poison-\($0)" })
    }

    @Test func faultsWithNoRealCounterpartAreRefusedByName() throws {
        #expect {
            _ = try ClusterScenario(scenario: try ScenarioFiles.load("duplicate-results.yaml"), seed: 1)
        } throws: { "\($0)".contains("result-failure") }
        #expect {
            _ = try ClusterScenario(scenario: try ScenarioFiles.load("broken-worker.yaml"), seed: 1)
        } throws: { "\($0)".contains("worker-bug ack-before-result") }
        #expect {
            _ = try ClusterScenario(scenario: try ScenarioFiles.load("database-restart.yaml"), seed: 1)
        } throws: { "\($0)".contains("database-restart") }
        #expect {
            _ = try ClusterScenario(scenario: try ScenarioFiles.load("broker-node-kill.yaml"), seed: 1)
        } throws: { "\($0)".contains("broker-node-kill") }
    }

    /// A task sent as the original client sends it (neither c nor a seed) is judged by the
    /// seed the API drew and stored for it, as the simulator judges it.
    @Test func aTaskWithoutCOrSeedIsJudgedByTheSeedTheAPIStored() throws {
        let cluster = try ClusterScenario(scenario: try ScenarioFiles.load("controller-restart.yaml"), seed: 4, taskCount: 12)
        let tasks = cluster.setup.plan.tasks
        #expect(tasks.contains { $0.request.fractal.seed == nil && $0.request.fractal.cx == nil })
        let objects = try tasks.enumerated().map { index, task in
            var fractal = task.request.fractal
            if fractal.seed == nil, fractal.cx == nil { fractal.seed = UInt64(1000 + index) }
            let rendered = try RenderJob.run(try fractal.validated(), threads: 1)
            return FractalObject(
                uuid: task.uuid, fractal: fractal, checksum: rendered.checksum, pixelChecksum: rendered.pixelChecksum,
                status: .completed, createdAt: "2026-12-08T00:00:00.000000", attempts: 1)
        }
        let outcome = ClusterOutcome(
            objects: objects, createLatencies: [:], createRetries: 0, notCreated: [], faultsInjected: [:],
            faultMoments: [:], faultsSkipped: 0, redeliveries: 0, timedOut: false, wallClock: .seconds(1),
            started: Date(), logLines: [])

        let report = cluster.report(outcome, deadLetters: [], conflictingResults: 0)
        #expect(report.tasks.wrongChecksum == 0, "\(report.summary)")
        #expect(report.tasks.completed == tasks.count)
    }
}
