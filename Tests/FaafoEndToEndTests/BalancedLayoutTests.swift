import FaafoCluster
import FaafoTestKit
import HostLab
import FaafoWire
import Foundation
import GoldenFixtures
import Testing

/// The full split layout on test hosts (see `TestHosts`): RabbitMQ on `controller`
/// (`install.sh -i messaging`), PostgreSQL on `db` and OpenStack Swift on `objects` (the
/// project's scripts/start-postgres and scripts/start-swift, listening on their host's
/// address), faafo-api on `api-1` and `api-2` (`install.sh -r api`, the second with the
/// first's tokens) over that database with the images in Swift, haproxy on `lb` in front
/// of both (health checks on `/readyz`), faafo-worker on `worker-1` and `worker-2`
/// (`install.sh -r worker` with the balancer as `-e`), and the client's `faafo demo` and
/// `faafo verify` through the balancer.
///
/// Mid-batch, api-1's host crashes (every process SIGKILLed) and stays down: the balancer
/// routes around it. Later PostgreSQL restarts (`pg_ctl restart -m fast`): the APIs answer
/// 503 meanwhile, the demo sends its creates again and the workers their results.
///
/// The database is a throwaway cluster in the db host's folder rather than one of
/// `install.sh -i database`: that one picks the cluster by port among the machine's own
/// (`pg_lsclusters`; on 5432 that is the machine's "main") and makes others under
/// /etc/postgresql and /var/lib/postgresql, which a killed test would leave behind.
@Suite(.tags(.endToEnd, .testHosts, .ownBrokerNodes), .timeLimit(.minutes(5)))
struct BalancedLayoutTests {
    static let apiHosts = ["api-1", "api-2"]
    static let workerHosts = ["worker-1", "worker-2"]
    static let tasks = 300
    /// Every golden case, the 1024×1024×2000 one too: the render core is fast enough in a
    /// debug build (well under a second a case).
    static let goldenFile = InstallScriptTests.script.deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Fixtures/golden.json")

    /// The hosts, a broker node on one, and what the others run: PostgreSQL's and Swift's
    /// servers (scripts/start-postgres and scripts/start-swift on their hosts), haproxy, curl.
    @Test(
        .needs(
            .testHosts, .ownBrokerNodes, .postgreSQLPrograms,
            .programs(
                HostBalancer.executable, "/usr/bin/swift-proxy-server", "/usr/bin/memcached", "/usr/bin/psql",
                "/usr/bin/curl")))
    func aBalancedSplitLayoutSurvivesAnAPIHostKillAndADatabaseRestart() async throws {
        try await withTestHosts(
            ["controller", "db", "objects"] + Self.apiHosts + ["lb"] + Self.workerHosts + ["client"], Self.run)
    }

    /// The layout, the batch and its faults, the checks; stops every service it started,
    /// whatever happened.
    private static func run(on hosts: TestHosts) async throws {
        let layout = try HostLayout(
            hosts, endpoint: "http://\(hosts.host("lb").address):\(HostLayout.apiPort)", apiHosts: apiHosts,
            serviceHosts: apiHosts + workerHosts)
        let services = Services(layout: layout)
        var stopped = false
        try await withCleanup({
            if !stopped { await services.stop() }
        }) {
            let clock = ContinuousClock()
            let setUp = clock.now
            async let database = services.startDatabase()
            async let swift = services.startObjectStore()
            try await services.startBroker()
            let transport = try await layout.installMessaging(on: "controller")
            let (databaseURL, images) = try await (database, swift)

            let token = try await layout.startAPI(
                on: "api-1", transport: transport, database: databaseURL, environment: images)
            let operatorToken = try layout.setting("operator_token", on: "api-1")
            _ = try await layout.startAPI(
                on: "api-2", transport: transport, database: databaseURL, token: token,
                environment: images.merging(["FAAFO_OPERATOR_TOKEN": operatorToken]) { _, new in new })
            #expect(try layout.setting("operator_token", on: "api-2") == operatorToken)
            try await services.startBalancer()
            for worker in workerHosts { try await layout.startWorker(on: worker, transport: transport, token: token) }
            let setUpTime = clock.now - setUp

            let start = clock.now
            let demo = try layout.startDemo(tasks: tasks)
            // Mid-batch: api-1's host crashes and stays down; later the database restarts.
            try await layout.waitForCompletions(tasks / 4)
            let killed = try await layout.crash("api-1")
            #expect(demo.isRunning, "api-1's host crashed mid-demo")
            try await layout.waitForCompletions(tasks / 2)
            let restartStart = clock.now
            try await services.restartDatabase()
            let restart = clock.now - restartStart
            #expect(demo.isRunning, "PostgreSQL restarted mid-demo")
            let faults = ["api-host-crash": 1, "database-restart": 1]

            let report = try await layout.waitForDemo(demo)
            let failed = services.balancerRequests.filter { $0.status >= 500 }
            #expect(
                report.tasks.submitted == tasks && report.tasks.completed == tasks,
                "problems: \(report.problems ?? []); answered 5xx by the balancer: \(failed)")
            #expect(report.tasks.verified == tasks, "the demo compared every task's checksums with its own render")
            let demoTime = clock.now - start
            #expect(services.balancerLog.contains("api-1 is DOWN"), "the balancer took api-1 out:\n\(services.balancerLog)")

            let goldenCases = try GoldenFile.load(from: goldenFile).cases.count
            let verifyStart = clock.now
            let verify = try await layout.runClient(
                ["verify", "--golden", goldenFile.path, "--timeout", "120"], timeout: .seconds(150))
            #expect(verify.status == 0, "faafo verify through the balancer:\n\(verify.output.suffix(3000))")
            let verifyTime = clock.now - verifyStart

            let objects = try await layout.list()
            let byHost = try HostLayout.expectEachCompletedOnce(
                objects, count: tasks + goldenCases, workerHosts: workerHosts)
            #expect(try await services.databaseCount("SELECT COUNT(*) FROM image") == 0, "no image in the database")
            #expect(try await services.databaseCount("SELECT COUNT(*) FROM fractal") == objects.count)
            let expectedNames = objects.map { "\($0.uuid)/\($0.checksum ?? "-").png" }
            #expect(try await services.objectNames().sorted() == expectedNames.sorted(), "every image in Swift, once")

            let requests = services.balancerRequests
            let byServer = Dictionary(grouping: requests, by: \.server).mapValues(\.count)
            #expect(byServer["api-1", default: 0] > 0 && byServer["api-2", default: 0] > 0, "balanced: \(byServer)")
            let answered5xx = requests.filter { $0.status >= 500 }.count
            let resent = requests.filter { $0.retries > 0 }.count
            let redeliveries = layout.count("(redelivered)", on: workerHosts)
            let resultRetries = layout.count("cannot deliver the result", on: workerHosts)
            let lateResults = layout.count("identical result again", on: apiHosts, "faafo-api")
            print(
                "balanced layout: set up in \(Self.seconds(setUpTime)); \(tasks) demo tasks in \(Self.seconds(demoTime)) "
                    + "through haproxy on 2 API hosts, 2 worker hosts; faults injected: \(HostLayout.listed(faults)) "
                    + "(\(killed) processes SIGKILLed on api-1; PostgreSQL restarted in \(Self.seconds(restart))); "
                    + "redeliveries \(redeliveries); result deliveries retried \(resultRetries); late results absorbed "
                    + "\(lateResults); faafo verify of \(goldenCases) golden cases passed in \(Self.seconds(verifyTime)); "
                    + "generated_by: \(HostLayout.listed(byHost)); balancer: \(requests.count) requests (by server "
                    + "\(HostLayout.listed(byServer))), \(resent) sent again to another server, \(answered5xx) answered 5xx")

            // Stopped as an operator would: nothing is left running but the broker's epmd.
            await services.stop()
            stopped = true
            for host in hosts.hosts.map(\.name) {
                let left = try await layout.processesLeft(on: host, sparing: "epmd")
                #expect(left.isEmpty, "\(host) still runs \(left)")
            }
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", duration / .seconds(1))
    }
}

/// The services of the layout that install.sh does not start: the broker, the database,
/// the object store and the balancer, each on its host, and how the test asks them things
/// (always from the client host).
private final class Services: @unchecked Sendable {
    let layout: HostLayout
    private var broker: HostBroker?
    private var balancer: HostBalancer?
    private var swift: (authURL: String, user: String, key: String)?
    private var databaseURL: String?
    static let container = "faafo"

    init(layout: HostLayout) { self.layout = layout }

    var balancerLog: String { balancer?.process.log ?? "" }
    var balancerRequests: [HostBalancer.Request] { balancer?.requests ?? [] }

    func startBroker() async throws {
        broker = try await HostBroker(on: "controller", of: layout.hosts)
    }

    /// scripts/start-postgres on the db host, on its address and PostgreSQL's port; the
    /// database URL it prints.
    func startDatabase() async throws -> String {
        let output = try await layout.script(on: "db", "start-postgres", environment: databaseEnvironment)
        let url = try Self.exported("FAAFO_TEST_POSTGRES_URL", in: output)
        databaseURL = url
        return url
    }

    func restartDatabase() async throws {
        _ = try await layout.script(on: "db", "start-postgres", ["--restart"], environment: databaseEnvironment)
    }

    private var databaseEnvironment: [String: String] {
        let db = layout.hosts.host("db")
        return [
            "FAAFO_POSTGRES_PORT": "5432", "FAAFO_POSTGRES_DIR": db.folder.appending(path: "postgres").path,
            "FAAFO_POSTGRES_LISTEN_ADDRESS": db.address,
        ]
    }

    /// scripts/start-swift on the objects host, its proxy on the host's address; the API's
    /// variables for images in its container.
    func startObjectStore() async throws -> [String: String] {
        let output = try await layout.script(on: "objects", "start-swift", environment: swiftEnvironment)
        let store = (
            authURL: try Self.exported("FAAFO_TEST_SWIFT_AUTH_URL", in: output),
            user: try Self.exported("FAAFO_TEST_SWIFT_USER", in: output),
            key: try Self.exported("FAAFO_TEST_SWIFT_KEY", in: output)
        )
        swift = store
        return [
            "FAAFO_IMAGE_STORE": "swift://\(Self.container)", "FAAFO_SWIFT_AUTH_URL": store.authURL,
            "FAAFO_SWIFT_USER": store.user, "FAAFO_SWIFT_KEY": store.key,
        ]
    }

    private var swiftEnvironment: [String: String] {
        let objects = layout.hosts.host("objects")
        return [
            "FAAFO_SWIFT_PORT": "8080", "FAAFO_SWIFT_DIR": objects.folder.appending(path: "swift").path,
            "FAAFO_SWIFT_LISTEN_ADDRESS": objects.address,
        ]
    }

    func startBalancer() async throws {
        balancer = try await HostBalancer(
            on: "lb", of: layout.hosts, port: HostLayout.apiPort, servers: BalancedLayoutTests.apiHosts,
            serverPort: HostLayout.apiPort)
    }

    /// The number `sql` answers in the database, by psql on the client host.
    func databaseCount(_ sql: String) async throws -> Int {
        let url = try #require(databaseURL)
        let (status, output) = try await layout.hosts.run(on: "client", ["/usr/bin/psql", url, "-X", "-Atc", sql])
        guard status == 0, let count = Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ClusterError("psql \(sql) on the client: \(output)")
        }
        return count
    }

    /// The names of the objects in the images' container, by curl on the client host
    /// (a tempauth token, then the container's listing).
    func objectNames() async throws -> [String] {
        let store = try #require(swift)
        let listing = #"""
            headers=$(curl -fsS -m 10 -o /dev/null -D - -H "X-Auth-User: $1" -H "X-Auth-Key: $2" "$3") &&
            token=$(printf '%s\n' "$headers" | tr -d '\r' | sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: *//p') &&
            storage=$(printf '%s\n' "$headers" | tr -d '\r' | sed -n 's/^[Xx]-[Ss]torage-[Uu]rl: *//p') &&
            curl -fsS -m 10 -H "X-Auth-Token: $token" "$storage/$4?limit=10000"
            """#
        let (status, output) = try await layout.hosts.run(
            on: "client", ["/bin/sh", "-c", listing, "sh", store.user, store.key, store.authURL, Self.container])
        guard status == 0 else { throw ClusterError("listing the Swift container from the client: \(output)") }
        return output.split(separator: "\n").map(String.init)
    }

    /// Stops everything it started, then the faafo services, whatever is running.
    func stop() async {
        await layout.stopServices()
        await balancer?.stop()
        _ = try? await layout.script(on: "objects", "start-swift", ["--stop"], environment: swiftEnvironment)
        _ = try? await layout.script(on: "db", "start-postgres", ["--stop"], environment: databaseEnvironment)
        await broker?.stop()
    }

    /// The value of `export NAME=VALUE` in a script's output.
    private static func exported(_ name: String, in output: String) throws -> String {
        let line = output.split(separator: "\n").last { $0.hasPrefix("export \(name)=") }
        return try #require(line.map { String($0.dropFirst("export \(name)=".count)) }, "no \(name) in:\n\(output)")
    }
}
