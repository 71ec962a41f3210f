import Foundation
import Testing

@testable import FaafoConfig

@Suite struct ConfigurationLoadingTests {
    /// Loads with no default file, so no test depends on what /etc holds.
    static func load(
        _ cli: [String: String] = [:], env: [String: String] = [:], file: String? = nil
    ) throws -> FaafoConfiguration {
        try FaafoConfiguration.load(
            cliOverrides: cli, environment: env, configFilePath: file, defaultConfigFilePath: nil)
    }

    /// The error `body` throws, or nil.
    static func error(_ body: () throws -> Void) -> ConfigurationError? {
        do {
            try body()
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test func defaultsRunEverythingInOneProcessWithoutRoot() throws {
        let c = try Self.load()
        #expect(c == FaafoConfiguration())
        #expect(c.transportURL == "memory://" && c.usesInMemoryQueue)
        #expect(c.databaseURL == "sqlite:///faafo.db")
        #expect(try c.database == .sqlite(path: "faafo.db"))
        #expect(c.endpointURL == "http://localhost:8080")
        #expect(c.listenAddress == "0.0.0.0")
        #expect(c.bindPort == 8080)
        #expect(c.imageStore == .database)
        #expect(c.effectiveWorkers == 1)
        #expect(c.resultsPerPage == 10)
        #expect(c.workBudget == nil)
        #expect(!c.verbose && !c.debug)
        #expect(c.configFile == nil)
        #expect(ConfigurationKey.allCases.allSatisfy { c.source(of: $0) == .builtInDefault })
    }

    @Test func keysHaveTheOriginalsThreeSpellings() {
        #expect(ConfigurationKey.transportURL.name == "transport_url")
        #expect(ConfigurationKey.transportURL.option == "--transport-url")
        #expect(ConfigurationKey.transportURL.environmentVariable == "FAAFO_TRANSPORT_URL")
        #expect(ConfigurationKey(named: "--bind-port") == .bindPort)
        #expect(ConfigurationKey(named: "Bind-Port") == .bindPort)
        #expect(ConfigurationKey(named: "bind_port") == .bindPort)
        #expect(ConfigurationKey(named: "port") == nil)
    }

    @Test func commandLineBeatsEnvironmentBeatsFileBeatsDefault() throws {
        let fixture = try ConfigFileFixture(
            """
            [DEFAULT]
            transport_url = amqp://file:secret@filehost:5672/
            database_url = sqlite:////var/lib/faafo/faafo.db
            endpoint_url = http://file:8080
            bind_port = 1111
            """)
        defer { fixture.remove() }
        let env = [
            "FAAFO_ENDPOINT_URL": "http://env:8080",
            "FAAFO_BIND_PORT": "2222",
            "FAAFO_WORKERS": "",  // empty: unset
            "FAAFO_TARGET_CPU": "native",  // not a configuration key: ignored
        ]
        let c = try Self.load(["bind-port": "3333"], env: env, file: fixture.path)

        #expect(c.bindPort == 3333)
        #expect(c.source(of: .bindPort) == .commandLine(option: "--bind-port"))
        #expect(c.endpointURL == "http://env:8080")
        #expect(c.source(of: .endpointURL) == .environment(variable: "FAAFO_ENDPOINT_URL"))
        #expect(c.transportURL == "amqp://file:secret@filehost:5672/")
        #expect(c.source(of: .transportURL) == .file(path: fixture.path, line: 2))
        #expect(try c.database == .sqlite(path: "/var/lib/faafo/faafo.db"))
        #expect(c.listenAddress == "0.0.0.0")
        #expect(c.source(of: .listenAddress) == .builtInDefault)
        #expect(c.workers == nil)
        #expect(c.effectiveWorkers == 0, "RabbitMQ: the API runs no worker of its own by default")
        #expect(c.configFile == fixture.path)
    }

    @Test func summaryHidesPasswordsAndNamesSources() throws {
        let c = try Self.load(["transport_url": "amqp://faafo:hunter2@rabbit:5672/"])
        let line = try #require(c.summaryLines.first { $0.hasPrefix("transport_url") })
        #expect(line == "transport_url = amqp://faafo:***@rabbit:5672/  # --transport-url")
        #expect(c.summaryLines.map { $0.prefix { $0 != " " } } == ConfigurationKey.allCases.map(\.name).sorted().map { Substring($0) })
    }

    @Test func unknownFileKeysAreIgnoredButListed() throws {
        let fixture = try ConfigFileFixture("[DEFAULT]\nlog_file = /tmp/x\nbind_port = 9\n[api]\nfoo = bar\n")
        defer { fixture.remove() }
        let c = try Self.load(file: fixture.path)
        #expect(c.bindPort == 9)
        #expect(c.ignoredFileKeys.map(\.key) == ["log_file"])
        #expect(c.ignoredFileKeys.map(\.line) == [2])
    }

    @Test func laterLinesWin() throws {
        let fixture = try ConfigFileFixture("[DEFAULT]\nbind_port = 1\nbind-port = 2\n")
        defer { fixture.remove() }
        let c = try Self.load(file: fixture.path)
        #expect(c.bindPort == 2)
        #expect(c.source(of: .bindPort) == .file(path: fixture.path, line: 3))
    }

    // MARK: Which file

    @Test func anExplicitConfigFileMustExist() throws {
        let fixture = try ConfigFileFixture("[DEFAULT]\n")
        defer { fixture.remove() }
        let error = try #require(Self.error { _ = try Self.load(file: fixture.missingPath) })
        #expect(error.code == .fileNotFound)
        #expect(error.description == "config file \(fixture.missingPath) does not exist")
    }

    @Test func theEnvironmentCanNameTheFile() throws {
        let fixture = try ConfigFileFixture("[DEFAULT]\nbind_port = 4242\n")
        defer { fixture.remove() }
        #expect(try Self.load(env: ["FAAFO_CONFIG_FILE": fixture.path]).bindPort == 4242)
        let error = try #require(Self.error { _ = try Self.load(env: ["FAAFO_CONFIG_FILE": fixture.missingPath]) })
        #expect(error.code == .fileNotFound && error.description.contains(fixture.missingPath))
    }

    @Test func theCommandLineFileBeatsTheEnvironmentsFile() throws {
        let chosen = try ConfigFileFixture("[DEFAULT]\nbind_port = 1\n")
        let other = try ConfigFileFixture("[DEFAULT]\nbind_port = 2\n")
        defer {
            chosen.remove()
            other.remove()
        }
        #expect(try Self.load(env: ["FAAFO_CONFIG_FILE": other.path], file: chosen.path).bindPort == 1)
    }

    @Test func aMissingDefaultFileIsFine() throws {
        let fixture = try ConfigFileFixture("[DEFAULT]\nbind_port = 5\n")
        defer { fixture.remove() }
        let absent = try FaafoConfiguration.load(environment: [:], defaultConfigFilePath: fixture.missingPath)
        #expect(absent.bindPort == 8080 && absent.configFile == nil)
        let present = try FaafoConfiguration.load(environment: [:], defaultConfigFilePath: fixture.path)
        #expect(present.bindPort == 5 && present.configFile == fixture.path)
    }

    @Test func devNullIsAnEmptyConfigFile() throws {
        let c = try Self.load(file: "/dev/null")
        #expect(c.configFile == "/dev/null" && c.bindPort == 8080)
    }

    @Test func aFolderIsNotAConfigFile() throws {
        let fixture = try ConfigFileFixture("")
        defer { fixture.remove() }
        let error = try #require(Self.error { _ = try Self.load(file: fixture.folder.path) })
        #expect(error.code == .fileUnreadable && error.description.contains(fixture.folder.path))
    }

    @Test func aConfigFileThatIsNotUTF8IsUnreadable() throws {
        let fixture = try ConfigFileFixture("")
        defer { fixture.remove() }
        try Data("[DEFAULT]\ntransport_url = amqp://".utf8 + [0xff, 0xfe] + Data("@host/\n".utf8))
            .write(to: URL(fileURLWithPath: fixture.path))
        let error = try #require(Self.error { _ = try Self.load(file: fixture.path) })
        #expect(error.code == .fileUnreadable && error.description.contains("not UTF-8"))
    }

    @Test func aHugeNumberIsOutOfRangeNotATrap() throws {
        let fixture = try ConfigFileFixture("[DEFAULT]\nbind_port = " + String(repeating: "9", count: 10_000) + "\n")
        defer { fixture.remove() }
        let error = try #require(Self.error { _ = try Self.load(file: fixture.path) })
        #expect(error.code == .invalidValue && error.key == "bind_port")
    }

    @Test func aMalformedFileNamesItsLine() throws {
        let fixture = try ConfigFileFixture("[DEFAULT]\n# fine\nbind_port = 1\nthis is not an option\n")
        defer { fixture.remove() }
        let error = try #require(Self.error { _ = try Self.load(file: fixture.path) })
        #expect(error.code == .malformedLine)
        #expect(error.description.hasPrefix("\(fixture.path):4: malformed line 'this is not an option'"))
    }

    // MARK: Values

    struct BadValue: Sendable, CustomTestStringConvertible {
        let key: String
        let value: String
        let mentions: String
        var testDescription: String { "\(key) = \(value)" }
        init(_ key: String, _ value: String, _ mentions: String) {
            self.key = key
            self.value = value
            self.mentions = mentions
        }
    }

    static let badValues: [BadValue] = [
        BadValue("bind_port", "http", "not a port number"),
        BadValue("bind_port", "70000", "out of range"),
        BadValue("bind_port", "-1", "out of range"),
        BadValue("transport_url", "rabbit://localhost", "unsupported scheme 'rabbit'"),
        BadValue("transport_url", "localhost:5672", "not a URL"),
        BadValue("transport_url", "amqp://", "no host"),
        BadValue("endpoint_url", "ftp://localhost", "unsupported scheme 'ftp'"),
        BadValue("endpoint_url", "localhost:8080", "not a URL"),
        BadValue("endpoint_url", "http://", "no host"),
        BadValue("endpoint_url", "http://localhost:99999", "port 99999"),
        BadValue("database_url", "mysql://faafo@db/faafo", "unsupported scheme 'mysql'"),
        BadValue("database_url", "faafo.db", "not a URL"),
        BadValue("database_url", "sqlite://host/faafo.db", "no host"),
        BadValue("image_store", "s3://bucket", "expected 'database', file:///absolute/folder or swift://CONTAINER"),
        BadValue("image_store", "swift://", "names its container"),
        BadValue("image_store", "swift://images/2026", "no '/'"),
        BadValue("image_store", "swift://" + String(repeating: "c", count: 257), "at most 256 bytes, this one has 257"),
        BadValue("swift_auth_url", "keystone:5000", "not a URL"),
        BadValue("swift_auth_url", "ftp://swift/auth/v1.0", "unsupported scheme 'ftp'"),
        BadValue("swift_user", "", "empty"),
        BadValue("swift_key", "", "empty"),
        BadValue("image_store", "file://relative/dir", "absolute"),
        BadValue("image_store", "/var/lib/faafo/images", "expected 'database', file:///"),
        BadValue("image_store", "file:///srv/images?mode=ro", "query options are not supported"),
        BadValue("listen_address", "0.0.0.0 8080", "not an address"),
        BadValue("listen_address", "", "empty"),
        BadValue("workers", "two", "not a number of workers"),
        BadValue("work_budget", "0", "at least 1"),
        BadValue("results_per_page", "0", "out of range"),
        BadValue("database_pool_size", "0", "out of range"),
        BadValue("database_url", "postgresql://u@db:5432/", "names one database"),
        BadValue("database_url", "postgresql://u@db:99999/faafo", "port 99999"),
        BadValue("database_url", "postgresql://u@db/faafo?sslmode=sometimes", "sslmode 'sometimes'"),
        BadValue("database_url", "postgresql://u@db/faafo?connect_timeout=1", "only sslmode"),
        BadValue("request_timeout", "0", "more than 0"),
        BadValue("connect_timeout", "soon", "not a number of seconds"),
        BadValue("verbose", "maybe", "not true or false"),
    ]

    @Test(arguments: badValues) func aBadValueNamesItsKeyAndSource(_ bad: BadValue) throws {
        let fromCLI = try #require(Self.error { _ = try Self.load([bad.key: bad.value]) })
        #expect(fromCLI.code == .invalidValue)
        #expect(fromCLI.key == bad.key)
        #expect(fromCLI.description.hasPrefix("invalid \(bad.key) '\(bad.value)' (from --\(bad.key.replacingOccurrences(of: "_", with: "-"))): "), "\(fromCLI)")
        #expect(fromCLI.description.contains(bad.mentions), "\(fromCLI)")

        if !bad.value.isEmpty {
            let variable = "FAAFO_" + bad.key.uppercased()
            let fromEnv = try #require(Self.error { _ = try Self.load(env: [variable: bad.value]) })
            #expect(fromEnv.description.contains("(from \(variable))"), "\(fromEnv)")
        }

        let fixture = try ConfigFileFixture("[DEFAULT]\n\n\(bad.key) = \(bad.value)\n")
        defer { fixture.remove() }
        let fromFile = try #require(Self.error { _ = try Self.load(file: fixture.path) })
        #expect(fromFile.description.contains("(from \(fixture.path):3)"), "\(fromFile)")
    }

    @Test func aBadPasswordedURLIsReportedWithoutThePassword() throws {
        let error = try #require(Self.error { _ = try Self.load(["transport_url": "rabbit://u:hunter2@h/"]) })
        #expect(!error.description.contains("hunter2"))
        #expect(error.description.contains("rabbit://u:***@h/"))
    }

    @Test func anUnknownOverrideIsAnError() throws {
        let error = try #require(Self.error { _ = try Self.load(["--bind-prot": "1"]) })
        #expect(error.code == .unknownKey)
        #expect(error.description.contains("'--bind-prot'") && error.description.contains("bind_port"))
    }

    @Test func goodValuesOfEveryKey() throws {
        let c = try Self.load([
            "transport_url": "amqps://u:p@rabbit.example:5671/vhost",
            "database_url": "postgresql+psycopg2://faafo:pw@db:5432/faafo",
            "database_pool_size": "4",
            "endpoint_url": "https://api.example/faafo/",
            "listen_address": "::",
            "bind_port": "0",
            "image_store": "file:///var/lib/faafo/images/",
            "workers": "3",
            "render_threads": "2",
            "work_budget": "1000000",
            "results_per_page": "25",
            "connect_timeout": "2.5",
            "request_timeout": "120",
            "idle_timeout": "30",
            "verbose": "Yes",
            "debug": "off",
        ])
        #expect(try c.database == .postgres(url: "postgresql+psycopg2://faafo:pw@db:5432/faafo"))
        #expect(c.databasePoolSize == 4)
        #expect(c.endpointURL == "https://api.example/faafo/")
        #expect(c.listenAddress == "::")
        #expect(c.bindPort == 0)
        #expect(c.imageStore == .directory(path: "/var/lib/faafo/images"))
        #expect(c.workers == 3 && c.effectiveWorkers == 3)
        #expect(c.renderThreads == 2)
        #expect(c.workBudget == 1_000_000)
        #expect(c.resultsPerPage == 25)
        #expect(c.connectTimeout == 2.5 && c.requestTimeout == 120 && c.idleTimeout == 30)
        #expect(c.verbose && !c.debug)
        #expect(!c.usesInMemoryQueue)
    }

    // MARK: Parsed locations

    @Test(arguments: [
        ("sqlite:///faafo.db", DatabaseLocation.sqlite(path: "faafo.db")),
        ("sqlite:////var/lib/faafo/faafo.db", .sqlite(path: "/var/lib/faafo/faafo.db")),
        ("sqlite:///data/my%20faafo.db", .sqlite(path: "data/my faafo.db")),
        ("sqlite://", .sqlite(path: ":memory:")),
        ("sqlite:///:memory:", .sqlite(path: ":memory:")),
        ("SQLite:///x.db?timeout=5", .sqlite(path: "x.db")),
        ("postgres://db/faafo", .postgres(url: "postgres://db/faafo")),
        ("postgresql://faafo:pw@127.0.0.1:55432/faafo", .postgres(url: "postgresql://faafo:pw@127.0.0.1:55432/faafo")),
        ("memory://", .memory),
    ])
    func databaseURLsReadAsSQLAlchemyReadsThem(_ url: String, _ expected: DatabaseLocation) throws {
        #expect(try DatabaseLocation.parse(url).get() == expected)
    }

    @Test func postgresURLsGiveTheirPartsWithPercentEscapesDecoded() throws {
        let url = try PostgresURL.parse("postgresql+psycopg2://fa%40fo:p%3Aw%2Fd@db.example:6432/fractals?sslmode=disable").get()
        #expect(url.host == "db.example" && url.port == 6432 && url.database == "fractals")
        #expect(url.user == "fa@fo" && url.password == "p:w/d" && url.sslMode == "disable")
        #expect(!url.description.contains("p:w/d") && !url.description.contains("p%3Aw"))
        let plain = try PostgresURL.parse("postgres://faafo@[::1]/faafo").get()
        #expect(plain.host == "::1" && plain.port == 5432 && plain.password == nil && plain.sslMode == "prefer")
        #expect(DatabaseLocation.postgres(url: "postgresql://faafo:secret@db/faafo").description.contains("secret") == false)
    }

    @Test func imageStores() throws {
        #expect(try ImageStore.parse("database").get() == .database)
        #expect(try ImageStore.parse("Database").get() == .database)
        #expect(try ImageStore.parse("file:///srv/images").get() == .directory(path: "/srv/images"))
        #expect(try ImageStore.parse("file://localhost/srv/images").get() == .directory(path: "/srv/images"))
        #expect(try ImageStore.parse("file:///srv/my%20images/").get() == .directory(path: "/srv/my images"))
        #expect(ImageStore.directory(path: "/srv/images").description == "file:///srv/images")
    }

    @Test func aSwiftImageStoreTakesItsThreeOptionsAndHidesTheKey() throws {
        let c = try Self.load(
            ["image_store": "swift://faafo-images", "swift_user": "faafo:api"],
            env: ["FAAFO_SWIFT_AUTH_URL": "http://swift:8080/auth/v1.0", "FAAFO_SWIFT_KEY": "hunter2"])
        #expect(c.imageStore == .swift(container: "faafo-images"))
        #expect(c.swiftAuthURL == "http://swift:8080/auth/v1.0" && c.swiftUser == "faafo:api" && c.swiftKey == "hunter2")
        #expect(c.summaryLines.contains("swift_key = ***  # FAAFO_SWIFT_KEY"))
        #expect(!c.summaryLines.joined().contains("hunter2"))
        #expect(c.text(of: .swiftKey, redacted: false) == "hunter2")
        #expect(try ImageStore.parse("swift://my%20images").get() == .swift(container: "my images"))
        #expect(ImageStore.swift(container: "faafo").description == "swift://faafo")
    }

    @Test func writeTokensLoadFromFlagEnvironmentAndFileAndAreNeverPrinted() throws {
        let fixture = try ConfigFileFixture("[DEFAULT]\ncreate_token = file-create-secret\n")
        defer { fixture.remove() }
        let c = try Self.load(
            ["--worker-token": "flag-worker-secret"], env: ["FAAFO_OPERATOR_TOKEN": "env-operator-secret"],
            file: fixture.path)
        #expect(c.workerToken == "flag-worker-secret" && c.source(of: .workerToken) == .commandLine(option: "--worker-token"))
        #expect(c.operatorToken == "env-operator-secret")
        #expect(c.source(of: .operatorToken) == .environment(variable: "FAAFO_OPERATOR_TOKEN"))
        #expect(c.createToken == "file-create-secret" && c.source(of: .createToken) == .file(path: fixture.path, line: 2))
        #expect(c.summaryLines.contains("worker_token = ***  # --worker-token"))
        #expect(c.summaryLines.contains("operator_token = ***  # FAAFO_OPERATOR_TOKEN"))
        #expect(c.summaryLines.contains { $0.hasPrefix("create_token = ***  # ") })
        #expect(!c.summaryLines.joined().contains("secret"))
        #expect(c.text(of: .workerToken, redacted: false) == "flag-worker-secret")
        #expect(FaafoConfiguration().workerToken == nil && FaafoConfiguration().text(of: .operatorToken) == "")
    }

    @Test func aBadTokenIsRefusedWithoutShowingIt() throws {
        let error = try #require(Self.error { _ = try Self.load(["worker_token": "hunter2 \n"]) })
        #expect(error.key == "worker_token" && error.description.contains("printable ASCII"), "\(error)")
        #expect(!error.description.contains("hunter2"), "\(error)")
    }

    @Test func aSwiftImageStoreWithoutItsOptionsNamesTheMissingOnes() throws {
        let error = try #require(
            Self.error { _ = try Self.load(["image_store": "swift://faafo", "swift_user": "faafo:api"]) })
        #expect(error.key == "image_store")
        #expect(
            error.description
                == "invalid image_store 'swift://faafo' (from --image-store): a Swift image store also needs "
                + "swift_auth_url (--swift-auth-url, FAAFO_SWIFT_AUTH_URL), swift_key (--swift-key, FAAFO_SWIFT_KEY)")
    }

    @Test func redaction() {
        #expect(Redaction.redactingPassword("amqp://guest:guest@localhost:5672/") == "amqp://guest:***@localhost:5672/")
        #expect(Redaction.redactingPassword("amqp://guest@localhost/") == "amqp://guest@localhost/")
        #expect(Redaction.redactingPassword("memory://") == "memory://")
        #expect(Redaction.redactingPassword("http://h/path@x:y") == "http://h/path@x:y")
    }
}
