import ArgumentParser
import FaafoLoad
import Foundation

/// `faafo demo`: a load test of a running faafo through its HTTP API.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load-test a running faafo: create tasks, follow each to its stored result, report the figures.",
        discussion: """
            Closed loop by default (--concurrency tasks in the system at once, 8 unless \
            given); --rate makes it an open loop instead (a create started every 1/R \
            seconds). Each task's parameters come from the same flags as `faafo create`. \
            The report counts tasks submitted, completed, failed and timed out, gives the \
            throughput, the p50/p90/p99/max latency of the create call and from creation to \
            the stored result (on the API's clock), and the tasks each worker stored. \
            After the run, completed tasks have their checksums compared with a render of \
            their own (--verify: all; --no-verify: none; by default those of at most \
            2^22 width × height × iterations, such as 256 × 256 × 64); a mismatch is a failure. \
            Exit status 0 when every task was stored (and matched), 1 otherwise, 2 for bad flags.
            """
    )

    /// The most tasks one run creates.
    static let taskLimit = 1_000_000
    static let concurrencyRange = 1...10_000
    static let rateLimit = 100_000.0
    static let defaultTasks = 100
    static let defaultConcurrency = 8

    @ParentCommand var faafo: Faafo
    @OptionGroup(title: "Fractal Parameters") var parameters: TaskParameterOptions

    @Option(help: "How many tasks to create (default: 100, or as many as --duration allows when it is given).")
    var tasks: Int?
    @Option(help: "Closed loop: how many tasks are in the system at once (default: 8).") var concurrency: Int?
    @Option(help: "Open loop: how many tasks to create a second.") var rate: Double?
    @Option(help: "Create no task after this many seconds.") var duration: Double?
    @Option(help: "End the run after this many seconds; tasks not stored by then count as timed out.")
    var timeout: Double = 600
    @Flag(inversion: .prefixedNo, help: "Compare every completed task's checksums with the render core's (default: small tasks only).")
    var verify: Bool?
    @Flag(help: "Print the report as one JSON object.") var json = false
    @Option(help: ArgumentHelp("Write report.json, tasks.csv and report.html into this folder.", valueName: "folder"))
    var report: String?

    func validate() throws {
        if concurrency != nil && rate != nil {
            throw ValidationError("--concurrency and --rate exclude each other: give --concurrency for a closed loop or --rate for an open one")
        }
        if let tasks, !(1...Self.taskLimit).contains(tasks) {
            throw ValidationError("--tasks must be between 1 and \(Self.taskLimit), got \(tasks)")
        }
        if let concurrency, !Self.concurrencyRange.contains(concurrency) {
            throw ValidationError(
                "--concurrency must be between \(Self.concurrencyRange.lowerBound) and \(Self.concurrencyRange.upperBound), got \(concurrency)")
        }
        if let rate, !(rate > 0 && rate <= Self.rateLimit) {
            throw ValidationError("--rate must be more than 0 and at most \(Int(Self.rateLimit)) tasks a second, got \(rate)")
        }
        if let duration, !(duration > 0 && duration.isFinite) {
            throw ValidationError("--duration must be a number of seconds above 0, got \(duration)")
        }
        guard timeout > 0 && timeout.isFinite else {
            throw ValidationError("--timeout must be a number of seconds above 0, got \(timeout)")
        }
        if let duration, duration >= timeout {
            throw ValidationError("--timeout (\(timeout) s) must be longer than --duration (\(duration) s)")
        }
        if let report, report.isEmpty { throw ValidationError("--report must name a folder") }
    }

    /// The plan the flags describe.
    func plan() -> LoadPlan {
        let pacing: LoadPlan.Pacing = rate.map { .openLoop(perSecond: $0) }
            ?? .closedLoop(concurrency: concurrency ?? Self.defaultConcurrency)
        let verification: LoadPlan.Verification = verify.map { $0 ? .all : .none } ?? .small
        return LoadPlan(
            tasks: tasks ?? (duration == nil ? Self.defaultTasks : Self.taskLimit), pacing: pacing,
            duration: duration.map { .seconds($0) }, timeout: .seconds(timeout), verification: verification)
    }

    func run() async throws {
        let planner = try parameters.planner()
        let randomSeed = parameters.randomSeed ?? UInt64.random(in: .min ... .max)
        let reportFolder = try report.map(Self.prepareFolder)
        let plan = plan()
        let test = LoadTest(plan: plan) { index in planner.makeTask(index, randomSeed: randomSeed) }
        let display = ProgressDisplay(plan: plan)

        let (records, figures) = try await ClientSession.run(faafo.globals, connections: plan.connections) { session in
            session.logger.debug("random seed \(randomSeed) (repeat with --random-seed \(randomSeed))")
            session.logger.info("load test of \(session.client.endpoint): \(plan.tasks) task(s) at most")
            var run = await test.run(client: session.client, progressInterval: display.interval, progress: display.show)
            display.finish()
            run.verifyChecksums(checked: display.checking)
            return (run, LoadReport(run, endpoint: session.client.endpoint))
        }
        if let reportFolder { try Self.write(records, figures, to: reportFolder) }
        print(json ? String(decoding: try figures.json(), as: UTF8.self) : figures.summaryLines.joined(separator: "\n"))
        let counts = figures.tasks
        if !figures.allCompleted {
            throw CommandFailure(
                "\(counts.submitted - counts.completed) of \(counts.submitted) tasks were not stored with the right "
                    + "checksums (\(counts.failed) failed, \(counts.timedOut) timed out)")
        }
    }

    /// The report folder, made if missing; a file in its place is a usage error.
    static func prepareFolder(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path, isDirectory: true)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
            throw UsageFailure("--report: '\(path)' is a file, not a folder")
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw UsageFailure("--report: cannot make the folder '\(path)': \(error.localizedDescription)")
        }
        return url
    }

    /// report.json, tasks.csv and report.html, each written whole or not at all.
    static func write(_ run: LoadRun, _ report: LoadReport, to folder: URL) throws {
        let files: [(String, Data)] = [
            ("report.json", try report.json(pretty: true) + Data("\n".utf8)),
            ("tasks.csv", Data(run.csv().utf8)),
            ("report.html", Data(report.html().utf8)),
        ]
        for (name, data) in files {
            let url = folder.appending(path: name)
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw CommandFailure("cannot write \(url.path): \(error.localizedDescription)")
            }
        }
    }
}
