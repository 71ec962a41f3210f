import HostLab
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Something a test needs beyond this process: a server, a privilege, programs, or an
/// explicit request to run it. `.needs(…)` checks each before the test runs: when one is
/// missing the test is skipped, the reason saying what is missing and how to get it; with
/// FAAFO_REQUIRE_SERVERS set (CI sets it), a missing server, privilege or program fails the
/// test instead, so that nothing is skipped there without a word. Opt-ins (`theBrokerToItself`,
/// `benchmarkRun`) only ever skip: they are not missing, they were not asked for.
///
/// Each check runs at most once per process (a TCP connect of at most a second, a file
/// test, `ip netns list`), the first time a test needs it.
public struct Need: Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Fails the test under FAAFO_REQUIRE_SERVERS when missing; skips it otherwise.
        case server
        /// Skips the test unless asked for, whatever FAAFO_REQUIRE_SERVERS says.
        case optIn
    }

    /// What it is, in a word or two ("RabbitMQ").
    public let description: String
    /// The tag a test with this need carries too (`scripts/test` schedules by tags).
    public let tag: Tag?
    public let kind: Kind
    private let check: Once<String?>

    public init(_ description: String, tag: Tag?, kind: Kind = .server, problem: @escaping @Sendable () -> String?) {
        self.description = description
        self.tag = tag
        self.kind = kind
        check = Once(problem)
    }

    /// Why the need is not met here (what is missing, and how to get it), or nil.
    public var problem: String? { check.value }

    /// FAAFO_REQUIRE_SERVERS is set (and not 0): what a test needs must be here.
    public static let serversRequired = isSet("FAAFO_REQUIRE_SERVERS")

    /// Whether tests that need this run here: it is met, or FAAFO_REQUIRE_SERVERS makes
    /// them run (and fail, saying why) without it. For the backends of a parameterized
    /// contract test, which cannot be skipped one by one.
    public var runsHere: Bool { problem == nil || (kind == .server && Self.serversRequired) }

    /// Throws, saying what is missing, unless the need is met: for a case of a parameterized
    /// test that `runsHere` let in although its server is missing (under FAAFO_REQUIRE_SERVERS).
    public func require() throws {
        guard let problem else { return }
        throw Failure(
            Self.serversRequired ? "\(problem) (FAAFO_REQUIRE_SERVERS is set: a test whose server is missing fails)" : problem)
    }

    static func isSet(_ variable: String) -> Bool {
        let value = ProcessInfo.processInfo.environment[variable] ?? ""
        return !value.isEmpty && value != "0"
    }
}

// MARK: - The needs

extension Need {
    /// The shared broker: something accepts connections at FAAFO_TEST_AMQP_URL's address
    /// (localhost:5672 by default), and `rabbitmqctl` can administer it from here.
    public static let rabbitMQ = Need("RabbitMQ", tag: .rabbitMQ) {
        let (host, port) = ServerCheck.address(of: SharedBroker.url, defaultPort: 5672)
        guard ServerCheck.accepts(host: host, port: port) else {
            return "needs RabbitMQ on \(host):\(port) (FAAFO_TEST_AMQP_URL): run scripts/start-rabbitmq"
        }
        guard FileManager.default.isExecutableFile(atPath: SharedBroker.rabbitmqctl) else {
            return "needs \(SharedBroker.rabbitmqctl) beside RabbitMQ on \(host):\(port): run scripts/setup"
        }
        // Debian's rabbitmqctl runs for root and the rabbitmq user only.
        guard geteuid() == 0 || getpwnam("rabbitmq")?.pointee.pw_uid == geteuid() else {
            return "needs root: it runs rabbitmqctl on the shared RabbitMQ, which Debian's allows root only"
        }
        return nil
    }

    /// The PostgreSQL test cluster: something accepts connections at FAAFO_TEST_POSTGRES_URL's
    /// address (127.0.0.1:55432 by default).
    public static let postgreSQL = Need("PostgreSQL", tag: .postgreSQL) {
        let (host, port) = ServerCheck.address(of: TestPostgres.url, defaultPort: 5432)
        guard ServerCheck.accepts(host: host, port: port) else {
            return "needs PostgreSQL on \(host):\(port) (FAAFO_TEST_POSTGRES_URL): run eval \"$(scripts/start-postgres)\""
        }
        return nil
    }

    /// The object store: something accepts connections at FAAFO_TEST_SWIFT_AUTH_URL's
    /// address (the proxy of `scripts/start-swift`, 127.0.0.1:58080 by default).
    public static let objectStore = Need("the object store", tag: .objectStore) {
        let url = (try? TestObjectStore.fromEnvironment().authURL) ?? TestObjectStore.defaults[0]
        let (host, port) = ServerCheck.address(of: url, defaultPort: url.hasPrefix("https:") ? 443 : 80)
        guard ServerCheck.accepts(host: host, port: port) else {
            return "needs the object store (OpenStack Swift) on \(host):\(port) (FAAFO_TEST_SWIFT_AUTH_URL): "
                + "run eval \"$(scripts/start-swift)\""
        }
        return nil
    }

    /// A headless chromium (`Browser.chromium`).
    public static let browser = Need("a browser", tag: .browser) {
        Browser.chromium == nil
            ? "needs chromium: apt-get install chromium (scripts/setup), or set FAAFO_CHROMIUM to its path" : nil
    }

    /// Test hosts (`TestHosts`): root, `ip netns`, unshare and setpriv.
    public static let testHosts = Need("test hosts", tag: .testHosts) {
        TestHosts.unavailability().map { "needs test hosts (network namespaces): \($0)" }
    }

    /// RabbitMQ nodes of the test's own: rabbitmq-server and epmd installed, and root (the
    /// nodes run as the rabbitmq user, through runuser or setpriv).
    public static let ownBrokerNodes = Need("RabbitMQ nodes of its own", tag: .ownBrokerNodes) {
        guard geteuid() == 0 else { return "needs root to boot RabbitMQ nodes of its own (as the rabbitmq user)" }
        for program in ["/usr/lib/rabbitmq/bin/rabbitmq-server", "/usr/bin/epmd", "/usr/sbin/runuser", "/usr/bin/openssl"]
        where !FileManager.default.isExecutableFile(atPath: program) {
            return "needs \(program) to boot RabbitMQ nodes of its own: run scripts/setup"
        }
        return nil
    }

    /// Fresh Debian roots for faafo's package (scripts/fresh-debian, scripts/package): root,
    /// debootstrap and chroot, the packaging tools, and python3 (which serves the package
    /// over http). apt in the roots needs Debian's mirror, which is not checked here.
    public static let debianRoots = Need("fresh Debian roots", tag: .debianPackage) {
        guard geteuid() == 0 else { return "needs root to make Debian roots (debootstrap, chroot)" }
        let programs = [
            "/usr/sbin/debootstrap", "/usr/sbin/chroot", "/usr/bin/dpkg-deb", "/usr/bin/dpkg-shlibdeps", "/usr/bin/patchelf",
            "/usr/bin/python3",
        ]
        return programs.first { !FileManager.default.isExecutableFile(atPath: $0) }.map {
            "needs \($0) to make and test faafo's Debian package: run scripts/setup --tests"
        }
    }

    /// PyYAML for python3 (Debian's python3-yaml): the YAML reader cloud-init uses.
    public static let pyYAML = Need("PyYAML", tag: nil) {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        check.arguments = ["-c", "import yaml"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return "needs /usr/bin/python3 with PyYAML: run scripts/setup --tests" }
        check.waitUntilExit()
        return check.terminationStatus == 0 ? nil : "needs PyYAML (python3-yaml): run scripts/setup --tests"
    }

    /// Root, for what only root may do: make PostgreSQL clusters and system users, say.
    public static let root = Need("root", tag: nil) {
        geteuid() == 0 ? nil : "needs root"
    }

    /// PostgreSQL's server programs (initdb, pg_ctl), to start a cluster of the test's own.
    public static let postgreSQLPrograms = Need("PostgreSQL's programs", tag: nil) {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        return versions.contains { FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/pg_ctl") }
            ? nil : "needs PostgreSQL's programs (/usr/lib/postgresql/*/bin/pg_ctl) to start a cluster of its own: run scripts/setup"
    }

    /// Programs, by path (what scripts/setup installs).
    public static func programs(_ paths: String...) -> Need {
        Need("programs", tag: nil) {
            paths.first { !FileManager.default.isExecutableFile(atPath: $0) }.map { "needs \($0): run scripts/setup" }
        }
    }

    /// Permission to restart the shared broker: FAAFO_BROKER_RESTART_TESTS=1, which says
    /// that nothing else is using it now (`scripts/test` runs these tests alone, last).
    public static let theBrokerToItself = Need("the broker to itself", tag: .brokerRestart, kind: .optIn) {
        isSet("FAAFO_BROKER_RESTART_TESTS")
            ? nil
            : "restarts the shared RabbitMQ broker, which would cut off every other test on it: runs only alone, "
                + "with FAAFO_BROKER_RESTART_TESTS=1 (scripts/test runs it so)"
    }

    /// A benchmark, run when `variable` is set.
    public static func benchmarkRun(_ variable: String) -> Need {
        Need("a benchmark run", tag: .benchmark, kind: .optIn) {
            isSet(variable) ? nil : "a benchmark: runs only when asked, with \(variable)=1"
        }
    }
}

// MARK: - The trait

/// Checks a test's needs before it runs (see `Need`). On a suite, it checks them once for
/// every test of the suite.
public struct NeedsTrait: TestTrait, SuiteTrait {
    public let needs: [Need]

    public func prepare(for test: Test) async throws {
        // The tags are what scripts/test schedules by: a need without its tag would run the
        // test in the wrong stage.
        let untagged = needs.compactMap(\.tag).filter { !test.tags.contains($0) }
        guard untagged.isEmpty else {
            throw Failure(
                "\(test.name) has .needs(…) without its tags \(untagged.map(String.init(describing:))): "
                    + "add them to its .tags(…) (scripts/test schedules by tags)")
        }
        for need in needs where need.kind == .optIn {
            if let problem = need.problem { try await Self.skip(test, problem) }
        }
        for need in needs where need.kind == .server {
            guard let problem = need.problem else { continue }
            if Need.serversRequired { try need.require() }
            try await Self.skip(test, problem)
        }
    }

    /// Skips `test` saying `why`: the skip a disabled `ConditionTrait` reports.
    private static func skip(_ test: Test, _ why: String) async throws {
        try await ConditionTrait.disabled(Comment(rawValue: why)).prepare(for: test)
    }
}

extension Trait where Self == NeedsTrait {
    /// Runs the test only where `needs` are met; skips it otherwise, saying what is missing
    /// (fails it under FAAFO_REQUIRE_SERVERS). The test must carry each need's tag too.
    public static func needs(_ needs: Need...) -> Self { NeedsTrait(needs: needs) }
}

// MARK: - Where the shared servers are

/// The shared broker of `scripts/start-rabbitmq`.
public enum SharedBroker {
    /// FAAFO_TEST_AMQP_URL, by default the guest account on 127.0.0.1:5672.
    public static var url: String {
        ProcessInfo.processInfo.environment["FAAFO_TEST_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/"
    }

    public static let rabbitmqctl = "/usr/sbin/rabbitmqctl"
}

/// The browsers a test may drive.
public enum Browser {
    /// `FAAFO_CHROMIUM`, else the first of chromium, chromium-browser, google-chrome on PATH.
    public static let chromium: URL? = {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let given = environment["FAAFO_CHROMIUM"], !given.isEmpty { candidates.append(given) }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            candidates += path.split(separator: ":").map { "\($0)/\(name)" }
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map { URL(fileURLWithPath: $0) }
    }()
}

// MARK: - Checks

enum ServerCheck {
    /// The host and port of a server URL (`scheme://user:password@host:port/…`).
    static func address(of url: String, defaultPort: Int) -> (host: String, port: Int) {
        let components = URLComponents(string: url)
        return (components?.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1", components?.port ?? defaultPort)
    }

    /// Whether something at `host`:`port` accepts a TCP connection within `timeout`.
    static func accepts(host: String, port: Int, timeout: Duration = .seconds(1)) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let list else { return false }
        defer { freeaddrinfo(list) }
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let address = entry?.pointee {
            if connects(address, within: milliseconds) { return true }
            entry = address.ai_next
        }
        return false
    }

    private static func connects(_ address: addrinfo, within milliseconds: Int32) -> Bool {
        let descriptor = socket(
            address.ai_family, address.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
            address.ai_protocol)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if connect(descriptor, address.ai_addr, address.ai_addrlen) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&waiting, 1, milliseconds) == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0
    }
}

/// A value computed the first time it is asked for, then kept; callers meanwhile wait.
final class Once<Value: Sendable>: Sendable {
    private let compute: @Sendable () -> Value
    private let state = Mutex<Value?>(nil)

    init(_ compute: @escaping @Sendable () -> Value) { self.compute = compute }

    var value: Value {
        state.withLock { stored in
            if let stored { return stored }
            let value = compute()
            stored = value
            return value
        }
    }
}
