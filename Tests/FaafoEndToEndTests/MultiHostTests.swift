import FaafoCluster
import FaafoTestKit
import HostLab
import FaafoWire
import Foundation
import Testing

/// The tutorial's split layout on test hosts (network namespaces on a bridge, each with its
/// own address and host name; see `TestHosts`), set up with the README's commands:
/// `install.sh -i messaging` on `controller` (a RabbitMQ node of that host's own), which
/// prints the `-m` URL with faafo's broker user; `install.sh -r api` there, which prints the
/// `-t` worker token; `install.sh -r worker -m URL -e URL -t TOKEN` on `worker-1` to
/// `worker-3`, and `faafo demo` on `client`.
/// Faults only hosts have strike mid-batch: worker-1's host crashes (every process SIGKILLed)
/// and is started again; worker-2's link goes down for longer than the heartbeat, then up.
@Suite(.tags(.endToEnd, .testHosts, .ownBrokerNodes), .timeLimit(.minutes(5)))
struct MultiHostTests {
    static let workerHosts = ["worker-1", "worker-2", "worker-3"]
    static let tasks = 300
    /// Five times the broker's heartbeat (2 s, `HostBroker`): RabbitMQ drops a connection
    /// silent for two heartbeats, and requeues what the partitioned worker held.
    static let partition: Duration = .seconds(10)

    @Test(.needs(.testHosts, .ownBrokerNodes))
    func aSplitLayoutLosesNothingWhenAWorkerHostCrashesAndAnotherIsPartitioned() async throws {
        try await withTestHosts(["controller"] + Self.workerHosts + ["client"], Self.run)
    }

    /// The layout, the batch and its faults, the checks; stops every service it started,
    /// whatever happened.
    private static func run(on hosts: TestHosts) async throws {
        let layout = try HostLayout(
            hosts, endpoint: "http://\(hosts.host("controller").address):\(HostLayout.apiPort)", apiHosts: ["controller"],
            serviceHosts: workerHosts + ["controller"])
        let broker = try await HostBroker(on: "controller", of: hosts)
        var stopped = false
        try await withCleanup({
            if !stopped { await Self.stop(layout, broker) }
        }) {
            let transport = try await layout.installMessaging(on: "controller")
            let database = "sqlite:///" + hosts.host("controller").folder.appending(path: "data/faafo.db").path
            let token = try await layout.startAPI(on: "controller", transport: transport, database: database)
            for worker in workerHosts { try await layout.startWorker(on: worker, transport: transport, token: token) }
            // Every connection took the broker's heartbeat, lower than faafo's 10 s: the partition outlasts it.
            let timeouts = try await broker.ctl(["list_connections", "--no-table-headers", "timeout"]).output
                .split(separator: "\n")
            #expect(!timeouts.isEmpty && timeouts.allSatisfy { $0 == "\(broker.heartbeat)" }, "\(timeouts)")
            let clock = ContinuousClock()
            let start = clock.now
            let demo = try layout.startDemo(tasks: tasks)

            // Mid-batch: worker-1's host crashes, then starts again; worker-2's link goes down, then up.
            try await layout.waitForCompletions(tasks / 5)
            let killed = try await layout.crash("worker-1")
            try await layout.startWorker(on: "worker-1", transport: transport, token: token, starts: 2)
            try await layout.waitForCompletions(tasks * 2 / 5)
            try await hosts.cut("worker-2")
            try await Task.sleep(for: partition)
            try await hosts.restore("worker-2")
            let faults = ["host-crash": 1, "partition": 1]

            let report = try await layout.waitForDemo(demo)
            #expect(report.tasks.submitted == tasks && report.tasks.completed == tasks, "\(demo.log.suffix(2000))")
            #expect(report.tasks.verified == tasks, "the demo compared every task's checksums with its own render")
            // Back from the partition: worker-2 reconnects; whatever it still delivers comes late.
            try await layout.waitForLog(on: "worker-2", "Reconnected to RabbitMQ", timeout: .seconds(60))
            let objects = try await layout.list()
            let elapsed = clock.now - start

            let byHost = try HostLayout.expectEachCompletedOnce(objects, count: tasks, workerHosts: workerHosts)
            #expect(report.workers == byHost, "the demo's report tells the hosts apart as the store does")
            let redeliveries = layout.count("(redelivered)", on: workerHosts)
            #expect(redeliveries >= 1, "the partitioned worker's task went to another")
            let lateResults = layout.count("identical result again", on: ["controller"], "faafo-api")
            let seconds = String(format: "%.1f s", elapsed / .seconds(1))
            print(
                "multi-host run: \(tasks) tasks in \(seconds) on \(workerHosts.count) worker hosts; faults injected: "
                    + "\(HostLayout.listed(faults)) "
                    + "(\(killed) processes SIGKILLed on worker-1; worker-2 cut for \(partition), broker heartbeat "
                    + "\(broker.heartbeat) s); redeliveries \(redeliveries); late results absorbed \(lateResults); "
                    + "generated_by: \(HostLayout.listed(byHost))")

            // Stopped as an operator would (SIGTERM, then each service ends on its own):
            // nothing is left running but the broker's epmd.
            await Self.stop(layout, broker)
            stopped = true
            for host in workerHosts + ["client", "controller"] {
                let left = try await layout.processesLeft(on: host, sparing: "epmd")
                #expect(left.isEmpty, "\(host) still runs \(left)")
            }
        }
    }

    /// The faafo services, then the broker.
    private static func stop(_ layout: HostLayout, _ broker: HostBroker) async {
        await layout.stopServices()
        await broker.stop()
    }
}
