import FaafoCluster
import FaafoTestKit
import FaafoWire
import Foundation
import Testing

/// `LocalCluster.run`: a workload with real faults on a schedule, against real processes.
@Suite(.tags(.endToEnd, .rabbitMQ), .needs(.rabbitMQ), .timeLimit(.minutes(5)))
struct ClusterRunTests {
    @Test func aRunWithKillsPausesAndAnAPIRestartLosesNothing() async throws {
        try await withCluster { cluster in
            var plan = ClusterPlan(tasks: batch(80, iterations: 300).withUUIDs())
            plan.workers = 2
            plan.rate = 80  // a second of creates, so that the faults fall among them
            plan.faults = [
                .killWorker(worker: 0, at: .time(.milliseconds(300)), restartAfter: .milliseconds(400)),
                .pauseWorker(worker: 1, at: .time(.milliseconds(500)), for: .milliseconds(600)),
                .restartAPI(at: .time(.milliseconds(700))),
                .killWorker(worker: 0, at: .time(.milliseconds(1500)), restartAfter: .milliseconds(200)),
            ]
            let outcome = try await cluster.run(plan)

            #expect(!outcome.timedOut)
            #expect(outcome.notCreated.isEmpty)
            #expect(outcome.faultsInjected == ["worker-kill": 2, "worker-pause": 1, "api-restart": 1])
            #expect(outcome.createLatencies.count == 80)
            #expect(outcome.objects.count == 80, "nothing stored twice, nothing extra")
            for object in outcome.objects {
                #expect(object.status == .completed, "\(object.uuid)")
                #expect(object.checksum == (try expectedChecksums(object)).checksum, "\(object.uuid)")
            }
        }
    }

    /// A broker restart in the middle of a run, with a worker killed just before it:
    /// nothing is lost, nothing stored twice. It restarts the broker for every other
    /// user, so it runs only with FAAFO_BROKER_RESTART_TESTS=1 (scripts/test runs it alone).
    @Test(.tags(.brokerRestart), .needs(.theBrokerToItself))
    func aBrokerRestartDuringARunLosesNothing() async throws {
        try await withCluster { cluster in
            var plan = ClusterPlan(tasks: batch(100, iterations: 200).withUUIDs())
            plan.rate = 100
            plan.faults = [
                .killWorker(worker: 1, at: .afterCreates(30), restartAfter: .milliseconds(300)),
                .restartBroker(at: .afterCreates(40)),
            ]
            let outcome = try await cluster.run(plan)

            #expect(!outcome.timedOut)
            #expect(outcome.notCreated.isEmpty)
            #expect(outcome.faultsInjected == ["worker-kill": 1, "broker-restart": 1])
            #expect(outcome.objects.count == 100, "nothing stored twice, nothing extra")
            for object in outcome.objects {
                #expect(object.status == .completed, "\(object.uuid)")
                #expect(object.checksum == (try expectedChecksums(object)).checksum, "\(object.uuid)")
            }
        }
    }
}
