import FaafoCluster
import FaafoClusterScenario
import FaafoSim
import Foundation
import Testing

/// `faafo-sim run --cluster --hosts`: a scenario played on test hosts (network
/// namespaces) with a real host crash, partition and broker node kill (a three-node
/// RabbitMQ cluster, a quorum task queue), judged by the simulator's rules.
@Suite(.timeLimit(.minutes(5)))
struct MultiHostScenarioTests {
    static let scenario = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Scenarios/multi-host.yaml")

    @Test(.enabled(if: HostsRun.unavailability() == nil, "test hosts need root, ip netns, unshare and setpriv"))
    func theMultiHostScenarioPassesOnTestHosts() async throws {
        let simulator = try LocalCluster.executablesFolder(containing: ["faafo-sim"]).appending(path: "faafo-sim")
        let (status, output) = try await runCommand(
            simulator, ["run", Self.scenario.path, "--cluster", "--hosts", "--json"], timeout: .seconds(240))
        let json = try #require(output.firstIndex(of: "{").map { output[$0...] }, "no report in: \(output)")
        let report = try JSONDecoder().decode(SimulationReport.self, from: Data(json.utf8))

        #expect(status == 0, "\(output)")
        #expect(report.verdict == .pass, "\(report.failures)")
        #expect(report.mode == .cluster)
        #expect(report.settings.hosts == 3 && report.settings.workers == 3)
        #expect(report.tasks.completed == 300 && report.tasks.storedTwice == 0 && report.tasks.wrongChecksum == 0)
        #expect(report.faults.hostCrashes == 1 && report.faults.partitions == 1 && report.faults.brokerNodeKills == 1)
        #expect(report.cluster?.faultsInjected == ["host-crash": 1, "partition": 1, "broker-node-kill": 1])
        #expect(report.cluster?.brokerNodeKillToNewTaskCompletion?.count == 1, "a task created after the kill completed")
        // Every namespace the run made is gone: none is left whose process has ended.
        let (_, listed) = try await runCommand(URL(fileURLWithPath: "/usr/sbin/ip"), ["netns", "list"])
        let left = listed.split(separator: "\n").map { String($0.split(separator: " ")[0]) }.filter { name in
            guard name.hasPrefix("faafo-th-"), let pid = Int32(name.dropFirst(9).prefix { $0 != "-" }) else { return false }
            return kill(pid, 0) != 0
        }
        #expect(left.isEmpty, "namespaces left: \(left)")
    }
}
