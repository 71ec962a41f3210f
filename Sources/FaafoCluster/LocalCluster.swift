import AMQPWorkQueue
import FaafoClient
import FaafoWire
import Foundation
import Logging
import Synchronization
import WorkQueue

/// A faafo deployment on this machine, made of real processes: one `faafo-api` on a
/// loopback port over an SQLite file in a scratch folder (or over a `databaseURL`, with
/// more APIs beside it: `additionalAPIs`), and `faafo-worker` processes,
/// all on the RabbitMQ broker in a virtual host of the cluster's own. The test suites and
/// `faafo-sim run --cluster` use it to inject real faults: SIGKILL, SIGSTOP/SIGCONT, an API
/// restart, a broker restart.
public final class LocalCluster: @unchecked Sendable {
    public struct Options: Sendable {
        /// The folder holding the faafo-api and faafo-worker executables.
        public var executables: URL
        public var broker = RabbitMQ()
        /// Start the broker when none answers (else that is an error).
        public var startBroker = false
        public var workerConcurrency = 2
        public var renderThreads = 1
        /// Runs once the cluster's virtual host exists and before the API starts, with the
        /// virtual host's URL: to prepare the broker as another program would have.
        public var beforeAPI: (@Sendable (_ brokerURL: String) async throws -> Void)?
        /// The APIs' `database_url`; nil: an SQLite file in the cluster's scratch folder.
        public var databaseURL: String?
        /// More faafo-api processes over the same database, each on a port of its own
        /// (`additionalAPIs`); they publish to the same virtual host.
        public var additionalAPIs = 0
        /// Which API the workers report results to: 0 the first (`api`), 1… the additional ones.
        public var workersReportTo = 0
        /// FAAFO_* variables every API starts with: `image_store` and the `swift_*`
        /// options, say (a key passed this way never shows in a process listing).
        public var apiEnvironment: [String: String] = [:]
        /// FAAFO_* variables every worker starts with (`queue_type`, say).
        public var workerEnvironment: [String: String] = [:]
        /// Where the processes run: nil, on this machine's loopback; else on the hosts of
        /// a `ClusterPlacement` (test hosts), the API on one, the workers spread on others.
        public var placement: ClusterPlacement?

        public init(executables: URL) {
            self.executables = executables
        }
    }

    public let options: Options
    public let folder: URL
    public let virtualHost = "faafo-cluster-\(UUID().uuidString.prefix(8).lowercased())"
    public let brokerURL: String
    /// The API process (replaced by `restartAPI`).
    public var api: ServiceProcess { processes.withLock { $0.api } }
    public let port: Int
    public var endpoint: String { "http://\(address):\(port)" }
    /// Where the APIs listen and are reached: 127.0.0.1, or the API host's address.
    public var address: String { Self.apiAddress(options, 0) }
    public let client: FaafoAPIClient
    /// The additional APIs (`Options.additionalAPIs`), their endpoints and clients.
    public var additionalAPIs: [ServiceProcess] { processes.withLock { $0.others } }
    public let additionalEndpoints: [String]
    public let additionalClients: [FaafoAPIClient]
    /// Where the workers send their results (`Options.workersReportTo`).
    public var workerEndpoint: String {
        if let front = options.placement?.frontEndpoint { return front }
        return options.workersReportTo == 0 ? endpoint : additionalEndpoints[options.workersReportTo - 1]
    }
    /// Workers by name, in the order they were first started; a restarted worker
    /// replaces its predecessor.
    public var workers: [ServiceProcess] { processes.withLock { $0.workers } }
    /// Removes the virtual host and the scratch folder if the runner is interrupted.
    private let interruptCleanup: UUID
    /// A connection of the cluster's own to its virtual host, to publish beside the API
    /// and to read the dead-letter queue.
    let queue: AMQPWorkQueue
    /// Faults run beside the workload, so the processes are replaced under a lock.
    /// Replaced processes are kept in `retired`, for their logs.
    private let processes: Mutex<
        (api: ServiceProcess, others: [ServiceProcess], workers: [ServiceProcess], retired: [ServiceProcess], apiRestarts: Int)
    >

    /// Starts the API (and the broker if asked and needed); no workers yet.
    public init(_ options: Options) async throws {
        self.options = options
        try await options.broker.ensureRunning(start: options.startBroker)
        brokerURL = try await options.broker.makeVirtualHost(virtualHost)
        folder = FileManager.default.temporaryDirectory.appending(path: "faafo-cluster-\(UUID().uuidString)")
        interruptCleanup = ServiceProcess.onInterrupt { [options, virtualHost, folder] in
            options.broker.deleteVirtualHostNow(virtualHost)
            try? FileManager.default.removeItem(at: folder)
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try await options.beforeAPI?(brokerURL)
            // Started together: APIs over one database must cope with migrating it at once.
            let (brokerURL, folder) = (brokerURL, folder)
            let apis = try (0...options.additionalAPIs).map { index in
                try Self.startAPI(
                    options, brokerURL: brokerURL, folder: folder, port: 0, index: index,
                    name: index == 0 ? "faafo-api" : "faafo-api-\(Character(UnicodeScalar(UInt8(97 + index))))")
            }
            processes = Mutex((api: apis[0], others: Array(apis.dropFirst()), workers: [], retired: [], apiRestarts: 0))
            var ports: [Int] = []
            for (index, api) in apis.enumerated() {
                let line = try await api.waitForLog("listening on \(Self.apiAddress(options, index)):")
                guard let port = api.listeningPort else {
                    throw ClusterError("cannot read the port of \(api.name) from its log line '\(line)'")
                }
                ports.append(port)
            }
            self.port = ports[0]
            client = try FaafoAPIClient(
                endpointURL: options.placement?.frontEndpoint ?? "http://\(Self.apiAddress(options, 0)):\(ports[0])")
            additionalEndpoints = ports.indices.dropFirst().map { "http://\(Self.apiAddress(options, $0)):\(ports[$0])" }
            additionalClients = try additionalEndpoints.map { try FaafoAPIClient(endpointURL: $0) }
            // Its reconnects during a broker restart are expected: errors only.
            var logger = Logger(label: "faafo.cluster.queue")
            logger.logLevel = .error
            queue = try await AMQPWorkQueue(url: brokerURL, logger: logger)
        } catch {
            ServiceProcess.cancelInterruptCleanup(interruptCleanup)
            await options.broker.deleteVirtualHost(virtualHost)
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// Where API `index` listens: 127.0.0.1, or its host's address.
    static func apiAddress(_ options: Options, _ index: Int) -> String {
        guard let placement = options.placement else { return "127.0.0.1" }
        return placement.apiAddresses[index % placement.apiAddresses.count]
    }

    private static func startAPI(
        _ options: Options, brokerURL: String, folder: URL, port: Int, index: Int = 0, name: String
    ) throws -> ServiceProcess {
        let arguments = [
            "--transport-url", brokerURL,
            "--database-url", options.databaseURL ?? "sqlite:///" + folder.appending(path: "faafo.db").path,
            "--listen-address", apiAddress(options, index),
            "--bind-port", "\(options.placement.map { $0.apiPort } ?? port)", "--workers", "0",
        ]
        let executable = options.executables.appending(path: "faafo-api")
        guard let placement = options.placement else {
            return try ServiceProcess(executable, arguments, name: name, environment: options.apiEnvironment)
        }
        let (command, commandArguments) = placement.command(
            placement.apiHosts[index % placement.apiHosts.count], [executable.path] + arguments, options.apiEnvironment)
        return try ServiceProcess(command, commandArguments, name: name)
    }

    /// Starts a worker named `name` (its `generated_by`), with `arguments` after the
    /// cluster's, on the placement's `host` (this machine without a placement), and waits
    /// until it consumes.
    @discardableResult
    public func startWorker(
        name: String, concurrency: Int? = nil, arguments: [String] = [], host: String? = nil
    ) async throws -> ServiceProcess {
        let executable = options.executables.appending(path: "faafo-worker")
        let arguments =
            [
                "--transport-url", brokerURL, "--endpoint-url", workerEndpoint,
                "--concurrency", "\(concurrency ?? options.workerConcurrency)",
                "--render-threads", "\(options.renderThreads)", "--name", name, "--debug",
            ] + arguments
        let worker: ServiceProcess
        if let placement = options.placement, let host {
            let (command, commandArguments) = placement.command(
                host, [executable.path] + arguments, options.workerEnvironment)
            worker = try ServiceProcess(command, commandArguments, name: name)
        } else {
            worker = try ServiceProcess(executable, arguments, name: name, environment: options.workerEnvironment)
        }
        try await worker.waitForLog("consuming")
        processes.withLock { processes in
            if let index = processes.workers.firstIndex(where: { $0.name == name }) {
                processes.retired.append(processes.workers[index])
                processes.workers[index] = worker
            } else {
                processes.workers.append(worker)
            }
        }
        return worker
    }

    public func worker(named name: String) throws -> ServiceProcess {
        guard let worker = workers.first(where: { $0.name == name }) else {
            throw ClusterError("no worker named \(name) in this cluster")
        }
        return worker
    }

    /// Kills the API with SIGKILL (a crash: nothing is flushed, no goodbye) and starts it
    /// again on the same port and database; its outbox publishes what it had stored but
    /// not yet queued.
    public func restartAPI() async throws {
        api.kill()
        try await startAPI(0)
    }

    /// Crashes the host of API `index` (every process on it SIGKILLed) and starts that API
    /// again on its port after `restartAfter` (`startSupervised` until `deadline`: its
    /// database may still be down). Needs a placement.
    public func crashAPIHost(_ index: Int, restartAfter: Duration, until deadline: ContinuousClock.Instant) async throws {
        guard let placement = options.placement else { throw ClusterError("an API host crash needs hosts (a placement)") }
        let index = index % (additionalAPIs.count + 1)
        try await placement.crash(placement.apiHosts[index % placement.apiHosts.count])
        try await Task.sleep(for: restartAfter)
        try await startSupervised(until: deadline) { try await startAPI(index) }
    }

    /// Starts API `index` again on its port, in place of the one that ran, and waits
    /// until it listens.
    private func startAPI(_ index: Int) async throws {
        let restarted = try processes.withLock { processes in
            processes.apiRestarts += 1
            let api = try Self.startAPI(
                options, brokerURL: brokerURL, folder: folder, port: port, index: index,
                name: index == 0 ? "faafo-api-\(processes.apiRestarts)" : "faafo-api-\(index + 1)-\(processes.apiRestarts)")
            if index == 0 {
                processes.retired.append(processes.api)
                processes.api = api
            } else {
                processes.retired.append(processes.others[index - 1])
                processes.others[index - 1] = api
            }
            return api
        }
        try await restarted.waitForLog("listening on \(Self.apiAddress(options, index)):")
    }

    /// Kills the first API with SIGKILL and leaves it dead: the other APIs carry on.
    public func killAPI() {
        api.kill()
    }

    /// Restarts the broker application (every connection of every user drops).
    public func restartBroker() async throws {
        try await options.broker.restart()
    }

    /// Publishes `body` straight to the cluster's work queue, as the API would a task.
    public func publishRaw(_ body: Data, messageID: String) async throws {
        try await queue.publish(body, messageID: messageID)
    }

    /// Takes every message now in the dead-letter queue (at most `limit`).
    public func drainDeadLetters(limit: Int = 10_000) async throws -> [QueueDelivery] {
        try await queue.drainDeadLetters(limit: limit)
    }

    /// Every line every process of this cluster logged so far (restarted ones included),
    /// with the process's name: what a cluster run's trace is read from.
    public func logLines() -> [(process: String, line: String)] {
        let all = processes.withLock { [$0.api] + $0.others + $0.workers + $0.retired }
        return all.flatMap { process in process.log.split(separator: "\n").map { (process.name, String($0)) } }
    }

    /// How many lines contain `text` in the logs of every API process this cluster ran
    /// (restarted ones included).
    public func apiLogCount(of text: String) -> Int {
        let apis = processes.withLock { [$0.api] + $0.others + $0.retired.filter { $0.name.hasPrefix("faafo-api") } }
        return apis.reduce(0) { $0 + $1.logCount(of: text) }
    }

    /// How many lines contain `text` in the logs of every worker process this cluster ran.
    public func workerLogCount(of text: String) -> Int {
        let workers = processes.withLock { $0.workers + $0.retired.filter { !$0.name.hasPrefix("faafo-api") } }
        return workers.reduce(0) { $0 + $1.logCount(of: text) }
    }

    /// Waits until every uuid is completed (at most `timeout`); returns every stored object.
    /// `progress` hears how many of them are completed, at each look.
    public func waitForCompletion(
        _ uuids: [String], timeout: Duration = .seconds(120), progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> [FractalObject] {
        let deadline = ContinuousClock.now + timeout
        var objects: [FractalObject] = []
        let wanted = Set(uuids)
        while ContinuousClock.now < deadline {
            objects = try await client.listAll(perPage: 1000)
            let completed = Set(objects.filter { $0.status == .completed }.map(\.uuid))
            if completed.isSuperset(of: wanted) { return objects }
            progress?(completed.intersection(wanted).count)
            try await Task.sleep(for: .milliseconds(200))
        }
        let pending = Set(uuids).subtracting(objects.filter { $0.status == .completed }.map(\.uuid))
        throw ClusterError(
            "\(pending.count) task(s) not completed within \(timeout)\n\(api.name) log:\n\(api.log.suffix(3000))\n"
                + workers.map { "\($0.name) log:\n\($0.log.suffix(2000))" }.joined(separator: "\n"))
    }

    /// Stops every process, removes the scratch folder and the virtual host.
    public func stop() async {
        for worker in workers { await worker.stop() }
        await api.stop()
        for other in additionalAPIs { await other.stop() }
        await queue.shutdown()
        try? await client.shutdown()
        for other in additionalClients { try? await other.shutdown() }
        try? FileManager.default.removeItem(at: folder)
        await options.broker.deleteVirtualHost(virtualHost)
        ServiceProcess.cancelInterruptCleanup(interruptCleanup)
    }

    /// The folder holding the built executables `names` (by default faafo-api and
    /// faafo-worker): the running executable's own folder, or for a test bundle the build
    /// folder above it.
    public static func executablesFolder(containing names: [String] = ["faafo-api", "faafo-worker"]) throws -> URL {
        var candidates = [URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()]
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            candidates.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        let found = candidates.first { candidate in
            names.allSatisfy {
                FileManager.default.isExecutableFile(atPath: candidate.appending(path: $0).path)
            }
        }
        guard let found else {
            throw ClusterError(
                "no \(names.joined(separator: " and ")) beside \(candidates[0].path) or \(Bundle.main.bundleURL.path): build every product first (`swift build`)"
            )
        }
        return found
    }
}
