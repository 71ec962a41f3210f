import Testing

/// What a test needs beyond this process, and how it must be scheduled. Every test or suite
/// that needs a server, a privilege or a run of its own carries the tag here; `scripts/test`
/// picks its stages by these tags (see there), and `.needs(…)` (Needs.swift) skips a test
/// whose server is missing, saying why, or fails it under FAAFO_REQUIRE_SERVERS.
extension Tag {
    // MARK: Servers it uses

    /// The shared RabbitMQ broker, as `scripts/start-rabbitmq` runs it on localhost:5672
    /// (FAAFO_TEST_AMQP_URL), and its `rabbitmqctl` (virtual hosts, users, inspection).
    @Tag public static var rabbitMQ: Self
    /// The shared PostgreSQL test cluster of `scripts/start-postgres` (FAAFO_TEST_POSTGRES_URL).
    @Tag public static var postgreSQL: Self
    /// The shared OpenStack Swift object store of `scripts/start-swift`
    /// (FAAFO_TEST_SWIFT_AUTH_URL). Named so, not "Swift", which is also the language.
    @Tag public static var objectStore: Self
    /// A headless browser: Debian's chromium.
    @Tag public static var browser: Self
    /// Test hosts: network namespaces on a bridge, which need root (`TestHosts`).
    @Tag public static var testHosts: Self
    /// RabbitMQ nodes of the test's own (`TestRabbitMQ`, `HostBroker`): Erlang VMs that take
    /// both cores of a small machine for some seconds while they boot.
    @Tag public static var ownBrokerNodes: Self

    // MARK: How it runs

    /// A deployment of real processes: faafo-api and faafo-worker (and brokers, proxies,
    /// balancers) started by the test. Many at once would starve each other of CPU.
    @Tag public static var endToEnd: Self
    /// Restarts the shared broker, cutting off every other test using it: runs alone, only
    /// with FAAFO_BROKER_RESTART_TESTS=1 (`Need.theBrokerToItself`).
    @Tag public static var brokerRestart: Self
    /// Holds hundreds of connections open on loopback at once: runs apart from the rest.
    @Tag public static var manyConnections: Self
    /// Installs faafo's Debian package in fresh Debian roots (debootstrap, apt, dpkg, as
    /// root): runs in a stage of its own after the end-to-end tests, one test at a time,
    /// with the package scripts/test makes from the debug build (FAAFO_TEST_PACKAGE).
    @Tag public static var debianPackage: Self
    /// Measures and prints, asserts no timing: runs only when asked (`Need.benchmarkRun`).
    @Tag public static var benchmark: Self
}
