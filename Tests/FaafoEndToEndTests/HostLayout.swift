import FaafoCluster
import FaafoTestKit
import HostLab
import FaafoWire
import Foundation
import Testing

/// What a test set up on its test hosts with scripts/install.sh, and how it reads their
/// logs: the API hosts, the hosts that run faafo services, the endpoint the workers and the
/// `client` host reach the API at (an API host's own, or a balancer's).
struct HostLayout {
    let hosts: TestHosts
    let executables: URL
    /// The URL the workers and the client send their requests to.
    let endpoint: String
    /// The hosts running faafo-api, whose logs say what was completed.
    let apiHosts: [String]
    /// Every host where install.sh starts faafo services (`-k` stops them).
    let serviceHosts: [String]
    /// The API's port on each API host.
    static let apiPort = 8080

    init(_ hosts: TestHosts, endpoint: String, apiHosts: [String], serviceHosts: [String]) throws {
        self.hosts = hosts
        self.endpoint = endpoint
        self.apiHosts = apiHosts
        self.serviceHosts = serviceHosts
        executables = try LocalCluster.executablesFolder(containing: ["faafo", "faafo-api", "faafo-worker"])
    }

    /// The endpoint of the API on `host` itself.
    func ownEndpoint(_ host: String) -> String { "http://\(hosts.host(host).address):\(Self.apiPort)" }

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

    /// Runs one of the project's scripts (`scripts/NAME`) on `host`; its output.
    func script(on host: String, _ name: String, _ arguments: [String] = [], environment: [String: String]) async throws
        -> String
    {
        let path = InstallScriptTests.script.deletingLastPathComponent().appending(path: name).path
        let (status, output) = try await hosts.run(
            on: host, [path] + arguments, environment: environment, timeout: .seconds(120))
        guard status == 0 else { throw ClusterError("scripts/\(name) \(arguments.joined(separator: " ")) on \(host): \(output)") }
        return output
    }

    /// `install.sh -i messaging` on `host`, which runs the broker: faafo's broker user, and
    /// the URL it prints for the other hosts.
    func installMessaging(on host: String) async throws -> String {
        let output = try await install(on: host, ["-i", "messaging"])
        let url = try Self.lastWord(of: "other hosts pass -m", in: output)
        #expect(url.hasPrefix("amqp://faafo:") && url.hasSuffix("@\(hosts.host(host).address):5672/"), "\(url)")
        #expect(!url.contains("guest"))
        let password = url.dropFirst("amqp://faafo:".count).prefix { $0 != "@" }
        #expect(
            configuration(on: host).contains("transport_url = amqp://faafo:\(password)@localhost:5672/"),
            "kept on the broker's host")
        return url
    }

    /// `install.sh -r api` on `host`, listening on the host's address; the worker token it
    /// prints for the worker hosts (`token`, when given, as another API host passes it).
    func startAPI(
        on host: String, transport: String, database: String, token: String? = nil,
        environment extra: [String: String] = [:]
    ) async throws -> String {
        let address = hosts.host(host).address
        let output = try await install(
            on: host, ["-r", "api", "-m", transport, "-d", database, "-e", ownEndpoint(host)] + (token.map { ["-t", $0] } ?? []),
            environment: ["FAAFO_LISTEN_ADDRESS": address].merging(extra) { _, new in new })
        let printed = try Self.lastWord(of: "worker hosts pass -t", in: output)
        #expect(token == nil || printed == token, "another API host keeps the token it was given")
        try await waitForLog(on: host, "listening on \(address):\(Self.apiPort)", service: "faafo-api")
        return printed
    }

    /// The value of `key` in the faafo.conf install.sh wrote on `host`.
    func setting(_ key: String, on host: String) throws -> String {
        let line = configuration(on: host).split(separator: "\n").last { $0.hasPrefix("\(key) = ") }
        return try #require(line.map { String($0.dropFirst("\(key) = ".count)) }, "no \(key) in \(host)'s faafo.conf")
    }

    private func configuration(on host: String) -> String {
        let file = hosts.host(host).folder.appending(path: "etc/faafo.conf")
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }

    /// A crash of `host` (every process SIGKILLed), and what it finds when it starts again
    /// (`boot`); how many processes were killed.
    func crash(_ host: String) async throws -> Int {
        let killed = try await hosts.crash(host)
        try boot(host)
        return killed
    }

    /// What a host that starts again after a crash finds: its pid files gone with /run, a
    /// tmpfs (FAAFO_RUN_DIR stands in for /run/faafo; its logs stay, for the test to read).
    /// Also what keeps `install.sh -k` from signalling a pid of a crashed host's that
    /// another process may have taken since.
    private func boot(_ host: String) throws {
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

    /// Waits (at most 120 s) until the API hosts have logged `count` completed fractals
    /// between them.
    func waitForCompletions(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while completions() < count {
            guard ContinuousClock.now < deadline else {
                throw ClusterError("the API hosts logged \(completions()) of \(count) completions within 120 s")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private func completions() -> Int {
        apiHosts.reduce(0) { $0 + log(on: $1, "faafo-api").count(of: " completed by ") }
    }

    /// `faafo ARGUMENTS` against the endpoint, for the client host. With `output`, its
    /// standard output goes to that file alone, so that no log line (on standard error)
    /// can cut into a long JSON line.
    private func faafo(_ arguments: [String], output: URL? = nil) -> [String] {
        let command = [executables.appending(path: "faafo").path, "--endpoint-url", endpoint] + arguments
        guard let output else { return command }
        return ["/bin/sh", "-c", #"out=$1; shift; exec "$@" >"$out""#, "sh", output.path] + command
    }

    /// `faafo ARGUMENTS` against the endpoint, run on the client host to its end.
    func runClient(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
        try await hosts.run(on: "client", faafo(arguments), timeout: timeout)
    }

    private var demoReport: URL { hosts.host("client").folder.appending(path: "demo-report.json") }

    /// `faafo demo` of `tasks` tiny tasks (64 × 64 × 64) on the client host, six in the
    /// system at a time (a closed loop: more tasks than workers, so that each worker holds
    /// one at all times), each checked against the render core (`--verify`).
    func startDemo(tasks: Int) throws -> ServiceProcess {
        let arguments = [
            "demo", "--tasks", "\(tasks)", "--concurrency", "6", "--width", "64", "--height", "64", "--iterations", "64",
            "--random-seed", "2026", "--verify", "--json", "--timeout", "150",
        ]
        return try hosts.start(on: "client", faafo(arguments, output: demoReport), processName: "faafo demo")
    }

    /// The demo's report, once it exits (at most 180 s).
    func waitForDemo(_ demo: ServiceProcess) async throws -> DemoReport {
        let deadline = ContinuousClock.now + .seconds(180)
        while demo.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        guard !demo.isRunning else { throw ClusterError("faafo demo did not end within 180 s:\n\(demo.log.suffix(2000))") }
        let output = (try? String(contentsOf: demoReport, encoding: .utf8)) ?? ""
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let report = try? JSONDecoder().decode(DemoReport.self, from: Data(line.utf8))
        else {
            throw ClusterError(
                "faafo demo printed no report (status \(demo.process.terminationStatus)):\n\(output.suffix(2000))\n"
                    + demo.log.suffix(2000))
        }
        return report
    }

    /// Every fractal, as `faafo list --json` on the client host prints them.
    func list() async throws -> [FractalObject] {
        let file = hosts.host("client").folder.appending(path: "list-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, log) = try await hosts.run(on: "client", faafo(["list", "--json"], output: file))
        let output = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("[") }),
            let objects = try? JSONDecoder().decode([FractalObject].self, from: Data(line.utf8))
        else {
            throw ClusterError("faafo list on the client failed (status \(status)): \(output.suffix(1000))\n\(log.suffix(2000))")
        }
        return objects
    }

    /// The log of `service` on `host` (install.sh's, in its run folder).
    func log(on host: String, _ service: String = "faafo-worker") -> String {
        let file = hosts.host(host).folder.appending(path: "run/\(service).log")
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }

    /// How often `text` occurs in the logs of `service` on `hosts`.
    func count(_ text: String, on hosts: [String], _ service: String = "faafo-worker") -> Int {
        hosts.reduce(0) { $0 + log(on: $1, service).count(of: text) }
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

    /// `install.sh -k` on every host that runs faafo services.
    func stopServices() async {
        for host in serviceHosts { _ = try? await install(on: host, ["-k"]) }
    }

    /// The command lines still running on `host` but `spared` ones, once none but those is
    /// left or 20 s have passed.
    func processesLeft(on host: String, sparing spared: String) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let left = try await hosts.processes(on: host).map(Self.commandLine).filter {
                !$0.isEmpty && !$0.contains(spared)
            }
            if left.isEmpty || ContinuousClock.now >= deadline { return left }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Checks that the API holds `count` fractals, each once, completed at the first
    /// attempt with the checksums the render core gives for it; and that `generated_by`
    /// names worker hosts, at least two of them. The fractals by worker host.
    @discardableResult
    static func expectEachCompletedOnce(_ objects: [FractalObject], count: Int, workerHosts: [String]) throws -> [String:
        Int]
    {
        #expect(objects.count == count, "nothing stored twice, nothing extra")
        #expect(Set(objects.map(\.uuid)).count == count)
        for object in objects {
            #expect(object.status == .completed && object.attempts == 1, "\(object.uuid)")
            let expected = try expectedChecksums(object)
            #expect(object.checksum == expected.checksum && object.pixelChecksum == expected.pixelChecksum, "\(object.uuid)")
        }
        let byHost = Dictionary(grouping: objects.compactMap(\.generatedBy), by: { $0 }).mapValues(\.count)
        #expect(Set(byHost.keys).isSubset(of: workerHosts), "generated_by is the worker hosts' names: \(byHost)")
        #expect(byHost.count >= 2, "\(byHost)")
        return byHost
    }

    /// `key count, key count`, sorted by key.
    static func listed(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// The last word of the first line of `output` that holds `text`.
    private static func lastWord(of text: String, in output: String) throws -> String {
        let line = output.split(separator: "\n").first { $0.contains(text) }
        return try #require(line?.split(separator: " ").last.map(String.init), "\(output)")
    }

    private static func commandLine(_ pid: Int32) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }
}

/// Runs `body` on test hosts named `names`, then removes every namespace, process and
/// folder of theirs, whatever happened, and checks that nothing was left behind.
func withTestHosts(_ names: [String], _ body: (TestHosts) async throws -> Void) async throws {
    let hosts = try await TestHosts(names)
    let outcome = await Result(catching: { try await body(hosts) })
    let left = await hosts.remove()
    #expect(left.isEmpty, "left behind: \(left)")
    #expect(try await hosts.namespacesLeft().isEmpty)
    try outcome.get()
}

/// The parts of `faafo demo --json`'s report the tests read.
struct DemoReport: Decodable {
    struct Tasks: Decodable {
        let submitted: Int
        let completed: Int
        let verified: Int
    }
    struct Problem: Decodable, CustomStringConvertible {
        let problem: String
        let tasks: Int
        var description: String { "\(tasks) task(s): \(problem)" }
    }
    let tasks: Tasks
    let workers: [String: Int]
    let problems: [Problem]?
}

extension String {
    func count(of text: String) -> Int { components(separatedBy: text).count - 1 }
}
