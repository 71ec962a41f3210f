import FaafoCluster
import FaafoTestSupport
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
@Suite(.timeLimit(.minutes(5)))
struct MultiHostTests {
    static let workerHosts = ["worker-1", "worker-2", "worker-3"]
    static let tasks = 300
    /// Five times the broker's heartbeat (2 s, `HostBroker`): RabbitMQ drops a connection
    /// silent for two heartbeats, and requeues what the partitioned worker held.
    static let partition: Duration = .seconds(10)

    @Test(.enabled(if: TestHosts.unavailability() == nil, "needs root, iproute2's `ip netns` and util-linux's unshare and setpriv"))
    func aSplitLayoutLosesNothingWhenAWorkerHostCrashesAndAnotherIsPartitioned() async throws {
        let hosts = try await TestHosts(["controller"] + Self.workerHosts + ["client"])
        let outcome = await Result(catching: { try await Self.run(on: hosts) })
        let left = await hosts.remove()
        #expect(left.isEmpty, "left behind: \(left)")
        #expect(try await hosts.namespacesLeft().isEmpty)
        try outcome.get()
    }

    /// The layout, the batch and its faults, the checks; stops every service it started,
    /// whatever happened.
    private static func run(on hosts: TestHosts) async throws {
        let layout = try Layout(hosts)
        let broker = try await HostBroker(on: "controller", of: hosts)
        var stopped = false
        try await withCleanup({
            if !stopped { await layout.stop(broker) }
        }) {
            let transport = try await layout.installMessaging()
            let token = try await layout.startAPI(transport: transport)
            for worker in workerHosts { try await layout.startWorker(on: worker, transport: transport, token: token) }
            // Every connection took the broker's heartbeat, lower than faafo's 10 s: the partition outlasts it.
            let timeouts = try await broker.ctl(["list_connections", "--no-table-headers", "timeout"]).output
                .split(separator: "\n")
            #expect(!timeouts.isEmpty && timeouts.allSatisfy { $0 == "\(broker.heartbeat)" }, "\(timeouts)")
            let clock = ContinuousClock()
            let start = clock.now
            // A closed loop: more tasks in the system than workers, so that each worker holds one at all times.
            let demo = try hosts.start(
                on: "client",
                [
                    layout.executables.appending(path: "faafo").path, "--endpoint-url", layout.endpoint, "demo", "--tasks",
                    "\(tasks)", "--concurrency", "6", "--width", "64", "--height", "64", "--iterations", "64",
                    "--random-seed", "2026", "--verify", "--json", "--timeout", "150",
                ], processName: "faafo demo")

            // Mid-batch: worker-1's host crashes, then starts again; worker-2's link goes down, then up.
            try await layout.waitForCompletions(tasks / 5)
            let killed = try await hosts.crash("worker-1")
            try layout.boot("worker-1")
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

            #expect(objects.count == tasks, "nothing stored twice, nothing extra")
            #expect(Set(objects.map(\.uuid)).count == tasks)
            for object in objects {
                #expect(object.status == .completed && object.attempts == 1, "\(object.uuid)")
                let expected = try expectedChecksums(object)
                #expect(object.checksum == expected.checksum && object.pixelChecksum == expected.pixelChecksum, "\(object.uuid)")
            }
            let byHost = Dictionary(grouping: objects.compactMap(\.generatedBy), by: { $0 }).mapValues(\.count)
            #expect(Set(byHost.keys).isSubset(of: workerHosts), "generated_by is the worker hosts' names: \(byHost)")
            #expect(byHost.count >= 2, "\(byHost)")
            #expect(report.workers == byHost, "the demo's report tells the hosts apart as the store does")
            let redeliveries = workerHosts.reduce(0) { $0 + layout.log(on: $1).count(of: "(redelivered)") }
            #expect(redeliveries >= 1, "the partitioned worker's task went to another")
            let lateResults = layout.log(on: "controller", "faafo-api").count(of: "identical result again")
            let seconds = String(format: "%.1f s", elapsed / .seconds(1))
            print(
                "multi-host run: \(tasks) tasks in \(seconds) on \(workerHosts.count) worker hosts; faults injected: "
                    + "\(Self.listed(faults)) "
                    + "(\(killed) processes SIGKILLed on worker-1; worker-2 cut for \(partition), broker heartbeat "
                    + "\(broker.heartbeat) s); redeliveries \(redeliveries); late results absorbed \(lateResults); "
                    + "generated_by: \(Self.listed(byHost))")

            // Stopped as an operator would (SIGTERM, then each service ends on its own):
            // nothing is left running but the broker's epmd.
            await layout.stop(broker)
            stopped = true
            for host in workerHosts + ["client", "controller"] {
                let left = try await Self.processesLeft(on: host, of: hosts, sparing: "epmd")
                #expect(left.isEmpty, "\(host) still runs \(left)")
            }
        }
    }

    /// The command lines still running on `host` but `spared` ones, once none but those is
    /// left or 20 s have passed.
    private static func processesLeft(on host: String, of hosts: TestHosts, sparing spared: String) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let left = try await hosts.processes(on: host).map(commandLine).filter { !$0.isEmpty && !$0.contains(spared) }
            if left.isEmpty || ContinuousClock.now >= deadline { return left }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// `key count, key count`, sorted by key.
    private static func listed(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    private static func commandLine(_ pid: Int32) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }
}

/// What the test set up on the hosts with scripts/install.sh, and how it reads their logs.
private struct Layout {
    let hosts: TestHosts
    let executables: URL
    let controller: TestHosts.Host
    var endpoint: String { "http://\(controller.address):8080" }

    init(_ hosts: TestHosts) throws {
        self.hosts = hosts
        executables = try LocalCluster.executablesFolder(containing: ["faafo", "faafo-api", "faafo-worker"])
        controller = hosts.host("controller")
    }

    /// install.sh's variables that keep a host's files in its folder and start services in
    /// the background, from this build.
    func environment(_ host: String) -> [String: String] {
        let folder = hosts.host(host).folder
        return [
            "FAAFO_BIN_DIR": executables.path, "FAAFO_RUN_DIR": folder.appending(path: "run").path,
            "FAAFO_CONFIG_DIR": folder.appending(path: "etc").path, "FAAFO_SERVICE_MANAGER": "background",
        ]
    }

    func install(on host: String, _ arguments: [String], environment extra: [String: String] = [:]) async throws -> String {
        let (status, output) = try await hosts.run(
            on: host, [InstallScriptTests.script.path] + arguments,
            environment: environment(host).merging(extra) { _, new in new }, timeout: .seconds(120))
        guard status == 0 else { throw ClusterError("install.sh \(arguments.joined(separator: " ")) on \(host): \(output)") }
        return output
    }

    /// `install.sh -i messaging` on the controller: faafo's broker user, and the URL it
    /// prints for the other hosts.
    func installMessaging() async throws -> String {
        let output = try await install(on: "controller", ["-i", "messaging"])
        let line = output.split(separator: "\n").first { $0.contains("other hosts pass -m") }
        let url = try #require(line?.split(separator: " ").last.map(String.init), "\(output)")
        #expect(url.hasPrefix("amqp://faafo:") && url.hasSuffix("@\(controller.address):5672/"), "\(url)")
        #expect(!url.contains("guest"))
        let conf = try String(contentsOf: controller.folder.appending(path: "etc/faafo.conf"), encoding: .utf8)
        let password = url.dropFirst("amqp://faafo:".count).prefix { $0 != "@" }
        #expect(conf.contains("transport_url = amqp://faafo:\(password)@localhost:5672/"), "kept on the controller")
        return url
    }

    /// `install.sh -r api` on the controller; the worker token it prints for the worker hosts.
    func startAPI(transport: String) async throws -> String {
        let database = "sqlite:///" + controller.folder.appending(path: "data/faafo.db").path
        let output = try await install(
            on: "controller", ["-r", "api", "-m", transport, "-d", database, "-e", endpoint],
            environment: ["FAAFO_LISTEN_ADDRESS": controller.address])
        let line = output.split(separator: "\n").first { $0.contains("worker hosts pass -t") }
        let token = try #require(line?.split(separator: " ").last.map(String.init), "\(output)")
        try await waitForLog(on: "controller", "listening on \(controller.address):8080", service: "faafo-api")
        return token
    }

    /// What a host that starts again after a crash finds: its pid files gone with /run, a
    /// tmpfs (FAAFO_RUN_DIR stands in for /run/faafo; its logs stay, for the test to read).
    func boot(_ host: String) throws {
        let run = hosts.host(host).folder.appending(path: "run")
        for file in try FileManager.default.contentsOfDirectory(atPath: run.path) where file.hasSuffix(".pid") {
            try FileManager.default.removeItem(at: run.appending(path: file))
        }
    }

    /// `install.sh -r worker` on `host`; returns once the worker's log says it consumes for
    /// the `starts`-th time.
    func startWorker(on host: String, transport: String, token: String, starts: Int = 1) async throws {
        _ = try await install(on: host, ["-r", "worker", "-m", transport, "-e", endpoint, "-t", token])
        try await waitForLog(on: host, "\(host) consuming", count: starts)
    }

    /// Waits (at most 120 s) until the API has logged `count` completed fractals.
    func waitForCompletions(_ count: Int) async throws {
        try await waitForLog(on: "controller", " completed by ", service: "faafo-api", count: count, timeout: .seconds(120))
    }

    /// The demo's report, once it exits (at most 180 s).
    func waitForDemo(_ demo: ServiceProcess) async throws -> DemoReport {
        let deadline = ContinuousClock.now + .seconds(180)
        while demo.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        guard !demo.isRunning else { throw ClusterError("faafo demo did not end within 180 s:\n\(demo.log.suffix(2000))") }
        guard let line = demo.log.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw ClusterError(
                "faafo demo printed no report (status \(demo.process.terminationStatus)):\n\(demo.log.suffix(2000))")
        }
        return try JSONDecoder().decode(DemoReport.self, from: Data(line.utf8))
    }

    /// Every fractal, as `faafo list --json` on the client host prints them.
    func list() async throws -> [FractalObject] {
        let (status, output) = try await hosts.run(
            on: "client", [executables.appending(path: "faafo").path, "--endpoint-url", endpoint, "list", "--json"])
        guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("[") }) else {
            throw ClusterError("faafo list on the client failed: \(output.suffix(2000))")
        }
        return try JSONDecoder().decode([FractalObject].self, from: Data(line.utf8))
    }

    /// The log of `service` on `host` (install.sh's, in its run folder).
    func log(on host: String, _ service: String = "faafo-worker") -> String {
        let file = hosts.host(host).folder.appending(path: "run/\(service).log")
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }

    /// Waits (at most `timeout`) until the log holds `text` `count` times.
    func waitForLog(
        on host: String, _ text: String, service: String = "faafo-worker", count: Int = 1, timeout: Duration = .seconds(60)
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if log(on: host, service).count(of: text) >= count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClusterError(
            "\(service) on \(host) did not log '\(text)' \(count) time(s) within \(timeout):\n"
                + log(on: host, service).suffix(3000))
    }

    /// `install.sh -k` on every host that runs services, then the broker.
    func stop(_ broker: HostBroker) async {
        for host in MultiHostTests.workerHosts + ["controller"] { _ = try? await install(on: host, ["-k"]) }
        await broker.stop()
    }
}

/// The parts of `faafo demo --json`'s report the test reads.
private struct DemoReport: Decodable {
    struct Tasks: Decodable {
        let submitted: Int
        let completed: Int
        let verified: Int
    }
    let tasks: Tasks
    let workers: [String: Int]
}

extension String {
    fileprivate func count(of text: String) -> Int { components(separatedBy: text).count - 1 }
}
