import FaafoCluster
import FaafoClusterScenario
import FaafoSim
import FaafoTestKit
import HostLab
import Foundation
import Testing

/// `faafo-sim run --cluster --hosts`: scenarios played on test hosts (network namespaces)
/// with real host crashes, partitions, broker node kills (a three-node RabbitMQ cluster, a
/// quorum task queue), API host crashes behind haproxy and PostgreSQL restarts, judged by
/// the simulator's rules.
// One run at a time: each starts its hosts, and the first its three broker nodes.
@Suite(.serialized, .tags(.endToEnd, .testHosts, .ownBrokerNodes), .timeLimit(.minutes(5)))
struct MultiHostScenarioTests {
    static let scenario = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Scenarios/multi-host.yaml")

    /// Runs `faafo-sim run SCENARIO --cluster --hosts --json` (with the checkout's
    /// scripts/start-postgres for API hosts); its exit status, report and output.
    static func runOnHosts(_ name: String) async throws -> (status: Int32, report: SimulationReport, output: String) {
        let simulator = try LocalCluster.executablesFolder(containing: ["faafo-sim"]).appending(path: "faafo-sim")
        let path = scenario.deletingLastPathComponent().appending(path: name).path
        let startPostgres = scenario.deletingLastPathComponent().deletingLastPathComponent().appending(
            path: "scripts/start-postgres")
        let (status, output) = try await runCommand(
            simulator, ["run", path, "--cluster", "--hosts", "--json", "--postgres-script", startPostgres.path],
            timeout: .seconds(240))
        let json = try #require(output.firstIndex(of: "{").map { output[$0...] }, "no report in: \(output)")
        return (status, try JSONDecoder().decode(SimulationReport.self, from: Data(json.utf8)), output)
    }

    @Test(.needs(.testHosts, .ownBrokerNodes)) func theMultiHostScenarioPassesOnTestHosts() async throws {
        let (status, report, output) = try await Self.runOnHosts("multi-host.yaml")

        #expect(status == 0, "\(output)")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.mode == .cluster)
        #expect(report.settings.hosts == 3 && report.settings.workers == 3)
        #expect(report.tasks.completed == 300 && report.tasks.storedTwice == 0 && report.tasks.wrongChecksum == 0)
        #expect(report.faults.hostCrashes == 1 && report.faults.partitions == 1 && report.faults.brokerNodeKills == 1)
        #expect(report.cluster?.faultsInjected == ["host-crash": 1, "partition": 1, "broker-node-kill": 1])
        #expect(report.cluster?.brokerNodeKillToNewTaskCompletion?.count == 1, "a task created after the kill completed")
        try await Self.expectNoNamespacesLeft()
    }

    /// Two API hosts behind haproxy over PostgreSQL on its own host: one API host crashes
    /// and comes back, the database stops for half a second.
    @Test(.needs(.testHosts, .ownBrokerNodes, .postgreSQLPrograms, .programs(HostBalancer.executable)))
    func theBalancedScenarioPassesOnTestHosts() async throws {
        let (status, report, output) = try await Self.runOnHosts("balanced-hosts.yaml")

        #expect(status == 0, "\(output)")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.settings.controllers == 2 && report.settings.hosts == 2)
        #expect(report.tasks.completed == 300 && report.tasks.storedTwice == 0 && report.tasks.wrongChecksum == 0)
        #expect(report.cluster?.faultsInjected == ["api-host-crash": 1, "database-restart": 1])
        #expect(report.faults.controllerCrashes == 1 && report.faults.databaseRestarts == 1)
        try await Self.expectNoNamespacesLeft()
    }

    /// Every namespace a run made is gone: none is left whose process has ended.
    static func expectNoNamespacesLeft() async throws {
        let (_, listed) = try await runCommand(URL(fileURLWithPath: "/usr/sbin/ip"), ["netns", "list"])
        let left = listed.split(separator: "\n").map { String($0.split(separator: " ")[0]) }.filter { name in
            guard name.hasPrefix("faafo-th-"), let pid = Int32(name.dropFirst(9).prefix { $0 != "-" }) else { return false }
            return kill(pid, 0) != 0
        }
        #expect(left.isEmpty, "namespaces left: \(left)")
    }
}
