// swift-tools-version: 6.2
import PackageDescription
import class Foundation.ProcessInfo

// The render kernel is compiled for the build host's CPU by default (like `-march=native`),
// so SIMD4<Double> maps to one AVX register where the machine has AVX. Set
// FAAFO_TARGET_CPU to a named CPU (e.g. `x86-64`, `haswell`) to build a binary for
// other machines, or to `none` to leave the compiler's default. The output is
// bit-identical either way: the contract forbids fused multiply-add and Swift never
// contracts floating-point operations on its own.
let targetCPU = ProcessInfo.processInfo.environment["FAAFO_TARGET_CPU"] ?? "native"
let kernelFlags: [SwiftSetting] =
    (targetCPU == "none" ? [] : [.unsafeFlags(["-target-cpu", targetCPU])])
    // The kernel is optimised in debug builds too, so that tests of real-size images stay fast.
    + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "faafo",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "faafo", targets: ["FaafoCLI"]),
        .executable(name: "faafo-api", targets: ["FaafoAPICLI"]),
        .executable(name: "faafo-worker", targets: ["FaafoWorkerCLI"]),
        .executable(name: "faafo-sim", targets: ["FaafoSimCLI"]),
        .library(name: "FractalCore", targets: ["FractalCore"]),
        .library(name: "FractalPNG", targets: ["FractalPNG"]),
        .library(name: "FractalJob", targets: ["FractalJob"]),
        .library(name: "GoldenFixtures", targets: ["GoldenFixtures"]),
        // For Benchmarks/: what a probe costs where nothing records it.
        .library(name: "FaafoProbes", targets: ["FaafoProbes"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // The controller counts through swift-metrics; faafo-api serves them in Prometheus's text format.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Only FaafoAPITests link it: it reads the API's OpenAPI document as a client's tools would.
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0"),
        // Runs a command and collects its output (CommandOutput), without a thread of its own.
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
    ],
    targets: [
        // libpng, as Debian's libpng-dev installs it.
        .systemLibrary(
            name: "CLibPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        // A thin C layer that keeps libpng's setjmp/longjmp error handling out of Swift.
        .target(
            name: "CPNGWriter", dependencies: ["CLibPNG"],
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z")]
        ),

        // The render contract: parameters, validation, c from a seed, the SIMD kernel
        // and the threaded row pipeline. No I/O.
        .target(name: "FractalCore", swiftSettings: kernelFlags),
        // PNG encoding at the contract's settings, rows streamed in.
        .target(name: "FractalPNG", dependencies: ["CPNGWriter"]),
        // One whole task: render, encode, both checksums.
        .target(
            name: "FractalJob",
            dependencies: [
                "FractalCore", "FractalPNG",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Golden checksum files (Fixtures/golden.json): their shape, the standard cases, checking.
        .target(name: "GoldenFixtures", dependencies: ["FractalCore", "FractalJob"]),

        // Probes: named situations in faafo's own logic that the simulator records when they
        // happen ("sometimes" assertions), declared once; nothing records them elsewhere.
        .target(name: "FaafoProbes"),
        // The wire contracts: JSON of the HTTP API and of the queue messages.
        .target(name: "FaafoWire", dependencies: ["FractalCore"]),
        // The work queue: the protocol, the in-memory backend, and RabbitMQ over librabbitmq.
        .target(name: "WorkQueue", dependencies: [.product(name: "DequeModule", package: "swift-collections")]),
        .systemLibrary(
            name: "CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        .target(
            name: "AMQPWorkQueue",
            dependencies: [
                "WorkQueue", "CRabbitMQ", .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // Stored fractals: the protocol, its records and outcomes, and the memory backend.
        .target(name: "FractalStore", dependencies: ["FaafoWire"]),
        // The SQLite backend of FractalStore, through GRDB (the only target that links it).
        .target(
            name: "SQLiteFractalStore",
            dependencies: ["FractalStore", "FaafoWire", "FractalCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Stored fractals in a shared PostgreSQL database, through PostgresNIO's pooled client.
        .target(
            name: "PostgresFractalStore",
            dependencies: [
                "FractalStore", "FaafoWire", "FractalCore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Images in an OpenStack Swift container (ImageObjects), over AsyncHTTPClient.
        .target(
            name: "OpenStackSwiftObjects",
            dependencies: [
                "FractalStore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Log lines in the tutorial's (oslo.log) form.
        .target(name: "FaafoLogging", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // Real clusters on this machine: faafo-api and faafo-worker processes on RabbitMQ,
        // with real faults (SIGKILL, SIGSTOP/SIGCONT, API and broker restarts).
        .target(
            name: "FaafoCluster",
            dependencies: [
                "FaafoClient", "FaafoWire", "WorkQueue", "AMQPWorkQueue", .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
        // Latency percentiles (HdrHistogram) for the simulator's and the load test's reports.
        .target(name: "FaafoLatency", dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")]),
        // Options from flags, environment and faafo.conf, as the original read them.
        .target(name: "FaafoConfig"),
        // What faafo-api and faafo-worker share: the broker's flags, what faafo.conf sets of
        // the AMQP queue, an option's help from its key, and BackendService (a backend closed
        // when its service group stops).
        .target(
            name: "FaafoServiceKit",
            dependencies: [
                "FaafoConfig", "AMQPWorkQueue", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // The HTTP client of the API, for the CLI and the worker.
        .target(
            name: "FaafoClient",
            dependencies: [
                "FaafoWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The controller's logic without HTTP or backends: the fractal service (create, query,
        // accept results), the outbox publisher, and the result sink of in-process workers.
        // The API serves it; the simulator calls it directly.
        .target(
            name: "FaafoController",
            dependencies: [
                "FaafoWire", "FractalCore", "FractalStore", "WorkQueue", "FractalJob", "FractalPNG", "FaafoWorkerLogic",
                "FaafoProbes",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The controller over HTTP: the routes of docs/wire-contract.md and the gallery over FractalService
        // (Hummingbird), the application builder, and FaafoSystem, the one place that picks
        // the store and queue backends (SQLite, PostgreSQL, RabbitMQ) from the configuration.
        .target(
            name: "FaafoAPI",
            dependencies: [
                "FaafoController", "FaafoWire", "FractalCore", "FractalStore", "SQLiteFractalStore", "PostgresFractalStore",
                "OpenStackSwiftObjects",
                "WorkQueue",
                "AMQPWorkQueue", "FaafoConfig", "FaafoServiceKit", "FaafoWorker", "FaafoLogging", "FaafoGallery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The OpenAPI document, a file here, compiled in by the plugin below.
            exclude: ["openapi.json"],
            plugins: ["EmbedOpenAPIDocument"]
        ),
        // Writes a text file into a Swift source as a string literal (EmbedOpenAPIDocument's tool).
        .executableTarget(name: "EmbedText"),
        .plugin(name: "EmbedOpenAPIDocument", capability: .buildTool(), dependencies: ["EmbedText"]),
        // The web gallery: HTML pages over FractalService (swift-mustache templates
        // compiled into the module), thumbnails, the create form.
        .target(
            name: "FaafoGallery",
            dependencies: [
                "FaafoWire", "FractalCore", "FractalJob",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // The worker's decisions about a task, as a step machine without I/O, which
        // faafo-worker and the simulator's virtual workers both drive; no backend (FractalJob only
        // for the shape of a finished render).
        .target(name: "FaafoWorkerLogic", dependencies: ["FaafoWire", "FractalCore", "FractalJob", "FaafoProbes"]),
        // The worker: consume a task, render, report the result, then acknowledge.
        .target(
            name: "FaafoWorker",
            dependencies: [
                "FaafoWire", "FaafoWorkerLogic", "FractalCore", "FractalJob", "WorkQueue", "FaafoClient",
                "AMQPWorkQueue", "FaafoConfig", "FaafoServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // The simulator: scenarios, in-process controllers and virtual workers in simulated
        // time, fault injection from one seed, and a checker that derives every answer itself.
        .target(
            name: "FaafoSim",
            dependencies: [
                "FaafoController", "FaafoWorkerLogic", "FaafoWire", "FractalCore", "FractalJob", "FractalPNG",
                "FractalStore", "WorkQueue", "GoldenFixtures", "FaafoLatency", "FaafoProbes", .product(name: "Yams", package: "Yams"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // The simulator's scenarios on a real cluster (`faafo-sim run --cluster`): the same tasks
        // and faults from the same seed, played on FaafoCluster's processes, judged by the same rules.
        .target(
            name: "FaafoClusterScenario",
            dependencies: ["FaafoSim", "FaafoCluster", "FaafoLatency", "FaafoWire", "FractalJob", "HostLab"]
        ),

        // Load tests through the HTTP API: pacing, following tasks, the report (JSON, CSV, HTML).
        .target(
            name: "FaafoLoad",
            dependencies: ["FaafoClient", "FaafoWire", "FaafoLatency", "FractalCore", "FractalJob"]
        ),

        // The executables, named one way: `<Role>CLI` is the command line of a product
        // (faafo, faafo-api, faafo-worker, faafo-sim), reading options and calling a library.
        .executableTarget(
            name: "FaafoCLI",
            dependencies: [
                "FractalCore", "FractalJob", "FractalPNG", "GoldenFixtures", "FaafoWire", "FaafoClient", "FaafoConfig",
                "FaafoLogging", "FaafoLoad",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "FaafoAPICLI",
            dependencies: [
                "FaafoAPI", "FaafoConfig", "FaafoServiceKit", "FaafoLogging", "FaafoClient", "FaafoLoad",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "FaafoSimCLI",
            dependencies: [
                "FaafoSim", "FaafoCluster", "FaafoClusterScenario", "FaafoProbes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "FaafoWorkerCLI",
            dependencies: [
                "FaafoWorker", "FaafoConfig", "FaafoServiceKit", "FaafoLogging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // The host lab: hosts made of network namespaces on a bridge (`TestHosts`), a RabbitMQ
        // node of a host's own (`HostBroker`) and haproxy in front of API hosts
        // (`HostBalancer`). `faafo-sim --hosts` plays scenarios on them; the end-to-end tests too.
        .target(
            name: "HostLab",
            dependencies: ["FaafoCluster", .product(name: "Logging", package: "swift-log")]),

        // What the test targets share, and only they: the tags that say what a test needs
        // (servers, privileges) and how it must be scheduled, the `.needs` trait that skips a
        // test whose server is missing (or fails it, under FAAFO_REQUIRE_SERVERS), and small
        // helpers (Failure, ScratchFolder, TestPostgres), and the servers tests reach or start
        // themselves (the test OpenStack Swift of scripts/start-swift and a second proxy of
        // it, RabbitMQ nodes of a test's own, with TLS certificates). A plain target under
        // Tests/, since a test target cannot be depended on; no product links it.
        .target(
            name: "FaafoTestKit",
            dependencies: [
                "HostLab", "FaafoCluster", "OpenStackSwiftObjects", "PostgresFractalStore", "FaafoConfig",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/FaafoTestKit"),

        .testTarget(name: "FractalCoreTests", dependencies: ["FractalCore"]),
        .testTarget(name: "FaafoWireTests", dependencies: ["FaafoWire"]),
        .testTarget(
            name: "FractalJobTests", dependencies: ["FractalCore", "FractalJob", "FractalPNG", "GoldenFixtures", "CLibPNG",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "WorkQueueTests",
            dependencies: ["WorkQueue", "AMQPWorkQueue", "CRabbitMQ", "FaafoCluster", "HostLab", "FaafoTestKit"]),
        .testTarget(
            name: "FractalStoreTests",
            dependencies: [
                "FractalStore", "SQLiteFractalStore", "PostgresFractalStore", "FaafoWire", "FaafoConfig",
                "OpenStackSwiftObjects", "HostLab", "FaafoTestKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "OpenStackSwiftObjectsTests",
            dependencies: [
                "OpenStackSwiftObjects", "FractalStore", "HostLab", "FaafoTestKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "FaafoConfigTests", dependencies: ["FaafoConfig"]),
        .testTarget(name: "FaafoLoggingTests", dependencies: ["FaafoLogging"]),
        .testTarget(name: "FaafoLatencyTests", dependencies: ["FaafoLatency"]),
        .testTarget(name: "FaafoLoadTests", dependencies: ["FaafoLoad", "FaafoWire", "FractalCore", "FractalJob"]),
        .testTarget(name: "FaafoWorkerLogicTests", dependencies: ["FaafoWorkerLogic", "FaafoWire", "FractalCore"]),
        .testTarget(
            name: "FaafoAPITests",
            dependencies: [
                "FaafoAPI", "FaafoController", "FaafoWorker", "FaafoWorkerLogic", "FaafoConfig", "FaafoWire",
                "FractalStore", "SQLiteFractalStore", "WorkQueue", "FractalCore", "FractalJob", "HostLab", "FaafoTestKit",
                "AMQPWorkQueue", "FaafoCluster", "FaafoClient",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "FaafoGalleryTests",
            dependencies: [
                "FaafoGallery", "FaafoAPI", "FaafoController", "FaafoWire", "FractalStore", "WorkQueue", "FaafoWorker", "FractalCore",
                "FractalJob", "FractalPNG", "FaafoTestKit", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "FaafoEndToEndTests",
            dependencies: [
                "FaafoAPICLI", "FaafoWorkerCLI", "FaafoSimCLI", "FaafoClient", "FaafoCluster", "FaafoClusterScenario", "FaafoSim",
                "FaafoWire", "FaafoConfig", "AMQPWorkQueue", "FractalCore", "FractalJob", "HostLab", "GoldenFixtures",
                "FaafoTestKit",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "FaafoSimTests", dependencies: [
                "FaafoSim", "FaafoSimCLI", "FaafoCluster", "FaafoClusterScenario", "FaafoWorker", "WorkQueue", "FaafoTestKit",
            ]),
        .testTarget(
            name: "FaafoCLITests",
            dependencies: [
                "FaafoCLI", "FaafoCluster", "GoldenFixtures", "FaafoTestKit", .product(name: "Crypto", package: "swift-crypto"),
            ]),
    ]
)

// libFuzzer targets (Fuzz/), one per decoder of outside input: see scripts/fuzz. They are
// declared only when FAAFO_FUZZ is set, so the normal build and `swift test` never see
// them; scripts/fuzz sets it and builds them in .build-fuzz with `-sanitize=fuzzer,address`.
if ProcessInfo.processInfo.environment["FAAFO_FUZZ"] != nil {
    package.targets += [
        // libFuzzer's driver function, which each target's `main` calls.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer", "FractalStore", "FractalCore"], path: "Fuzz/FuzzSupport"),
    ]
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzTaskMessage", ["FaafoWire", "FaafoWorkerLogic"]),
        ("FuzzResultBody", ["FaafoController", "FaafoWire"]),
        ("FuzzPNGCheck", ["FaafoController", "FaafoWire", "FractalJob", "FractalPNG", .product(name: "Crypto", package: "swift-crypto")]),
        ("FuzzScenario", ["FaafoSim"]),
        ("FuzzConfig", ["FaafoConfig"]),
    ]
    for target in fuzzTargets {
        package.targets.append(
            .executableTarget(name: target.name, dependencies: target.dependencies + ["FuzzSupport"], path: "Fuzz/\(target.name)"))
    }
}
