import ArgumentParser
import FaafoCluster
import FaafoClusterScenario
import FaafoProbes
import FaafoSim
import Foundation

@main
struct FaafoSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faafo-sim",
        abstract: "Runs faafo's controllers and workers in simulated time, injects faults from a seed, checks every task.",
        subcommands: [RunCommand.self, ShrinkCommand.self, ProbesCommand.self, FaultsCommand.self])
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario with one seed, or a swarm of seeds.",
        discussion: """
            Exit status: 0 pass, 1 correctness (a task lost, stored twice, with a wrong checksum, \
            rendered two ways), 2 liveness (not quiet in time, an expected figure missed), \
            3 bad scenario. A failure prints the command that replays it.

            With --cluster the scenario runs on real processes instead: RabbitMQ (started \
            when none answers), one faafo-api and the scenario's faafo-worker processes on \
            loopback, the same tasks as the simulation of that seed, the faults made real \
            (SIGKILL, SIGSTOP/SIGCONT, API and broker restarts, messages published beside \
            the API), \
            judged by the same rules. Every process it started is stopped at the end, also \
            on failure or Ctrl-C.
            """)

    @Argument(help: "The scenario file (YAML), e.g. Scenarios/smoke.yaml.")
    var scenario: String

    @Option(help: "The seed (default: the scenario's, else a random one, printed first).")
    var seed: UInt64?

    @Option(help: "Run every seed in A..B and list the failing ones.")
    var seeds: String?

    @Option(help: "With --seeds: how many seeds run at once (default: every core); the output is the same whatever the number.")
    var jobs: Int?

    @Option(help: "Override the scenario's task count.")
    var tasks: Int?

    @Flag(help: "With --seeds: after each round of 16 seeds, give every other seed the cluster sizes of a seed that reached the rarest probes so far.")
    var explore = false

    @Option(help: "Draw the cluster's sizes as the run of this seed draws them (what --explore prints to replay its seeds).")
    var settingsSeed: UInt64?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Run on a real local cluster (RabbitMQ, faafo-api, faafo-worker) instead of in simulation.")
    var cluster = false

    @Option(help: "With --cluster: the folder of faafo-api and faafo-worker (default: beside faafo-sim).")
    var executables: String?

    @Flag(help: "With --cluster: run on test hosts of this machine (network namespaces; root): a controller, a client and the scenario's worker hosts.")
    var hosts = false

    @Option(help: "With --hosts and API hosts: the script that starts PostgreSQL on the db host (default: scripts/start-postgres of the current folder, the checkout).")
    var postgresScript: String?

    @Flag(help: "With --cluster: run the scenario in simulation too, and print, class by class, where the two runs differ.")
    var compare = false

    @Option(help: "Write every event of the run to this file, a JSON object a line (tick, actor, task, event, details); with --cluster, read from the processes' logs.")
    var trace: String?

    @Option(help: "Write the faults the run injected to this file, as a scenario's faults.schedule (YAML).")
    var schedule: String?

    @Option(help: "Draw the run's trace to this HTML file: a lane per actor, faults shaded, failing tasks' paths in red.")
    var timeline: String?

    func run() async throws {
        let loaded: Scenario
        do {
            loaded = try Scenario.load(from: scenario)
            if let tasks, tasks < 1 { throw ScenarioError(file: scenario, line: 0, "--tasks must be 1 or more") }
            if let jobs, jobs < 1 { throw ScenarioError(file: scenario, line: 0, "--jobs must be 1 or more") }
        } catch {
            printError("faafo-sim: \(error)")
            throw ExitCode(3)
        }
        if (trace != nil || schedule != nil || timeline != nil) && seeds != nil {
            printError("faafo-sim: --trace, --schedule and --timeline write one run: give one --seed, not --seeds")
            throw ExitCode(3)
        }
        if schedule != nil && cluster {
            printError("faafo-sim: --schedule writes a simulated run's faults: a cluster's are in its report")
            throw ExitCode(3)
        }
        if explore && seeds == nil {
            printError("faafo-sim: --explore steers a swarm: give --seeds A..B")
            throw ExitCode(3)
        }
        if settingsSeed != nil && (cluster || seeds != nil) {
            printError("faafo-sim: --settings-seed replays one simulated run: give one --seed, without --cluster")
            throw ExitCode(3)
        }
        if compare && !cluster {
            printError("faafo-sim: --compare sets a real cluster's run beside the simulation's: give --cluster too")
            throw ExitCode(3)
        }
        if hosts && !cluster {
            printError("faafo-sim: --hosts plays the scenario on real processes: give --cluster too")
            throw ExitCode(3)
        }
        if cluster {
            guard seeds == nil else {
                printError("faafo-sim: --seeds runs in simulation only; give --cluster one --seed")
                throw ExitCode(3)
            }
            try await clusterRun(loaded, seed: seed ?? loaded.seed ?? UInt64.random(in: 0...UInt64(UInt32.max)))
        } else if let seeds {
            guard let range = Swarm.seeds(seeds) else {
                printError("faafo-sim: --seeds must be A..B with A ≤ B, got '\(seeds)'")
                throw ExitCode(3)
            }
            try await swarm(loaded, range)
        } else {
            try await single(loaded, seed: seed ?? loaded.seed ?? UInt64.random(in: 0...UInt64(UInt32.max)))
        }
    }

    func single(_ loaded: Scenario, seed: UInt64) async throws {
        let simulation: Simulation
        do {
            simulation = try Simulation(
                scenario: loaded, seed: seed, taskCount: tasks, scenarioFile: scenario, settingsFrom: settingsSeed)
        } catch {
            printError("faafo-sim: \(error)")
            throw ExitCode(3)
        }
        if !json { print(simulation.settings.lines.joined(separator: "\n")) }
        let progress = ProgressLine()
        let report = await simulation.run { progress.show($0.line) }
        progress.clear()
        do {
            if let trace {
                try write(simulation.traceEvents.map(\.jsonLine).joined(separator: "\n") + "\n", to: trace)
            }
            if let schedule {
                try write(simulation.injectedFaults.map { "- \($0.yaml)" }.joined(separator: "\n") + "\n", to: schedule)
            }
            if let timeline {
                let title = "faafo-sim run \(scenario) --seed \(seed)"
                try write(
                    Timeline.html(
                        title: title, events: simulation.traceEvents, stories: report.stories ?? [],
                        summary: report.deterministicPart.summary(withStories: false)),
                    to: timeline)
            }
        } catch {
            printError("faafo-sim: \(error)")
            throw ExitCode(3)
        }
        if json {
            print(report.json())
        } else {
            print(report.summary)
        }
        guard report.verdict == .pass else {
            if json { printError("replay: \(replay(seed))") } else { print("replay: \(replay(seed))") }
            throw ExitCode(report.verdict.exitCode)
        }
    }

    func clusterRun(_ loaded: Scenario, seed: UInt64) async throws {
        let run: ClusterScenario
        let folder: URL
        // Absolute, so that the same file is meant on the client host.
        let postgres = URL(fileURLWithPath: postgresScript ?? ClusterScenario.defaultPostgresScript.relativePath)
            .standardizedFileURL
        do {
            run = try ClusterScenario(scenario: loaded, seed: seed, taskCount: tasks, scenarioFile: scenario, onHosts: hosts)
            if hosts, let reason = HostsRun.unavailability() { throw ClusterError("--hosts: \(reason)") }
            folder = try executables.map { URL(fileURLWithPath: $0) } ?? LocalCluster.executablesFolder()
            for name in ["faafo-api", "faafo-worker"]
            where !FileManager.default.isExecutableFile(atPath: folder.appending(path: name).path) {
                throw ClusterError("--executables \(folder.path) has no \(name)")
            }
        } catch {
            printError("faafo-sim: \(error)")
            throw ExitCode(3)
        }
        let attached: HostsRun.Attached?
        do {
            attached = hosts ? try HostsRun.attached() : nil
        } catch {
            printError("faafo-sim: cannot read the test hosts' layout: \(error)")
            throw ExitCode(2)
        }
        if hosts && attached == nil {
            // This process made no hosts yet: make them, and run this command on `client`.
            let status: Int32
            do {
                status = try await HostsRun.run(
                    workerHosts: run.settings.hosts, brokerHosts: run.brokerHosts, apiHosts: run.apiHosts, executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
                    arguments: Array(CommandLine.arguments.dropFirst())
                        + (executables == nil ? ["--executables", folder.path] : [])
                        + (postgresScript == nil ? ["--postgres-script", postgres.path] : []))
            } catch {
                if ServiceProcess.isInterrupted { await ServiceProcess.awaitInterruptExit() }
                printError("faafo-sim: the run on test hosts failed: \(error)")
                throw ExitCode(2)
            }
            if status != 0 { throw ExitCode(status) }
            return
        }
        if !json {
            print(run.settings.lines.joined(separator: "\n"))
            for note in run.notes { print("  on a real cluster: \(note)") }
            print("  \(run.plan.faults.count) real fault(s) planned")
        }
        ServiceProcess.stopAllOnInterrupt()
        let report: SimulationReport
        do {
            let progress = ProgressLine()
            defer { progress.clear() }
            let outcome = try await run.run(executables: folder, hosts: attached, postgresScript: postgres) {
                progress.show($0.line)
            }
            report = outcome.report
            if let trace {
                try write(outcome.trace.map(\.jsonLine).joined(separator: "\n") + "\n", to: trace)
            }
            if let timeline {
                try write(
                    Timeline.html(
                        title: "faafo-sim run \(scenario) --seed \(seed) --cluster", events: outcome.trace,
                        stories: report.stories ?? [], summary: report.summary(withStories: false)),
                    to: timeline)
            }
        } catch {
            if ServiceProcess.isInterrupted { await ServiceProcess.awaitInterruptExit() }
            printError("faafo-sim: the cluster run failed: \(error)")
            throw ExitCode(2)
        }
        if json { print(report.json()) } else { print(report.summary) }
        var verdict = report.verdict
        if compare {
            let simulated: SimulationReport
            do {
                simulated = await (try Simulation(
                    scenario: loaded, seed: seed, taskCount: tasks, scenarioFile: scenario, keepTrace: false)).run()
            } catch {
                printError("faafo-sim: \(error)")
                throw ExitCode(3)
            }
            let comparison = RunComparison(simulation: simulated, cluster: report)
            print(comparison.lines.joined(separator: "\n"))
            verdict = max(verdict, simulated.verdict)
        }
        guard verdict == .pass else {
            let command = replay(seed) + " --cluster" + (hosts ? " --hosts" : "") + (compare ? " --compare" : "")
            if json { printError("replay: \(command)") } else { print("replay: \(command)") }
            throw ExitCode(verdict.exitCode)
        }
    }

    func swarm(_ loaded: Scenario, _ range: ClosedRange<UInt64>) async throws {
        let total = range.upperBound - range.lowerBound + 1
        let progress = ProgressLine()
        let outcomes: [Swarm.Outcome]
        do {
            outcomes = try await Swarm.run(
                loaded, seeds: range, taskCount: tasks, scenarioFile: scenario,
                parallelism: jobs ?? ProcessInfo.processInfo.activeProcessorCount, explore: explore
            ) { done in progress.show("\(done)/\(total) seeds run") }
        } catch {
            progress.clear()
            printError("faafo-sim: \(error)")
            throw ExitCode(3)
        }
        progress.clear()
        let failing = outcomes.filter { $0.verdict != .pass }
        let coverage = Swarm.coverage(outcomes)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(outcomes), as: UTF8.self))
        } else {
            print("\(loaded.name): \(outcomes.count) seeds, \(outcomes.count - failing.count) passed, \(failing.count) failed")
            print(coverage.lines(seeds: outcomes.count).joined(separator: "\n"))
            if explore {
                let explored = outcomes.filter { $0.settingsFrom != nil }
                print("  explored: \(explored.count) seed(s) took the cluster of a seed that reached a rare probe")
            }
            for outcome in failing {
                print("  seed \(outcome.seed) (\(outcome.cluster)): \(outcome.verdict.rawValue): \(outcome.failures.joined(separator: "; "))")
                print("    replay: \(replay(outcome.seed, settingsFrom: outcome.settingsFrom))")
            }
        }
        if let worst = failing.map(\.verdict).max() { throw ExitCode(worst.exitCode) }
        let unexercised = Swarm.unexercised(by: outcomes, loaded)
        if !unexercised.isEmpty {
            let sentence = "no seed reached \(unexercised.joined(separator: ", ")), which the scenario exists to exercise"
            if json { printError("faafo-sim: \(sentence)") } else { print("  ✗ \(sentence)") }
            throw ExitCode(SimulationReport.Verdict.unexercised.exitCode)
        }
    }

    func write(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioError(file: path, line: 0, "cannot write: \(error.localizedDescription)")
        }
    }

    func replay(_ seed: UInt64, settingsFrom: UInt64? = nil) -> String {
        var command = "faafo-sim run \(scenario) --seed \(seed)"
        if let settingsFrom = settingsFrom ?? settingsSeed { command += " --settings-seed \(settingsFrom)" }
        if let tasks { command += " --tasks \(tasks)" }
        return command
    }

    func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// A line on standard error that rewrites itself, for long runs; only on a terminal.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var shown = false
    private let enabled = isatty(STDERR_FILENO) == 1

    func show(_ text: String) {
        guard enabled else { return }
        lock.withLock {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            shown = true
        }
    }

    func clear() {
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            shown = false
        }
    }
}

struct ShrinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink",
        abstract: "Shrink a failing run to a minimal scenario that fails the same way.",
        discussion: """
            Runs the scenario with the seed, makes the faults it injected explicit, then takes \
            away faults (delta debugging), tasks, workers, controllers, concurrency, hosts and \
            poison, and makes each remaining fault strike earlier and last less, keeping each \
            step only while the run still fails with the same class of failure (the first the \
            checker found: lost, stored twice, wrong checksum, …). Writes a scenario whose \
            faults are all explicit (faults.schedule) and whose tasks are the few that \
            workload.only names: `faafo-sim run FILE` replays it, with no fault drawn.

            Exit status: 0 when a scenario was written, 1 when the run passes (nothing to \
            shrink), 3 for a bad scenario.
            """)

    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    @Option(help: "The failing seed (default: the scenario's).")
    var seed: UInt64?

    @Option(help: "Override the scenario's task count.")
    var tasks: Int?

    @Option(help: "Where to write the minimal scenario (default: NAME-shrunk.yaml here).")
    var out: String?

    func run() async throws {
        let loaded: Scenario
        do {
            loaded = try Scenario.load(from: scenario)
            if let tasks, tasks < 1 { throw ScenarioError(file: scenario, line: 0, "--tasks must be 1 or more") }
        } catch {
            FileHandle.standardError.write(Data("faafo-sim: \(error)\n".utf8))
            throw ExitCode(3)
        }
        let seed = seed ?? loaded.seed ?? 1
        let started = ContinuousClock.now
        let result: Shrinker.Result
        do {
            result = try await Shrinker(scenario: loaded, seed: seed, taskCount: tasks, scenarioFile: scenario).shrink {
                print("  \($0)")
            }
        } catch let error as Shrinker.NothingToShrink {
            print("faafo-sim: \(error)")
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("faafo-sim: \(error)\n".utf8))
            throw ExitCode(3)
        }
        let seconds = (ContinuousClock.now - started).seconds
        let path = out ?? "\(loaded.name)-shrunk.yaml"
        let header = """
            # Shrunk by `faafo-sim shrink \(scenario) --seed \(seed)` from a run of \(result.before).
            # It fails the same way (\(result.failure)) with \(result.after).
            # Its faults are all explicit: `faafo-sim run \(path)` replays it, drawing no fault.

            """
        do {
            try Data((header + result.scenario.yaml).utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            FileHandle.standardError.write(Data("faafo-sim: cannot write \(path): \(error.localizedDescription)\n".utf8))
            throw ExitCode(3)
        }
        print("shrunk \(loaded.name) seed \(seed), failing with \(result.failure)")
        print("  before  \(result.before)")
        print("  after   \(result.after)")
        print("  \(result.runs) runs in \(String(format: "%.1f", seconds)) s; wrote \(path)")
        for fault in result.scenario.faults.schedule ?? [] { print("  fault   \(fault)") }
        print(result.report.failures.map { "  ✗ \($0)" }.joined(separator: "\n"))
        for story in result.report.stories ?? [] where story.failure == result.failure {
            print(story.lines.joined(separator: "\n"))
        }
        print("replay: faafo-sim run \(path)")
    }
}

struct ProbesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probes", abstract: "List every probe: the situations a run can reach, and what each means.")

    func run() {
        for probe in Probe.all { print("\(probe.name.padding(toLength: 36, withPad: " ", startingAt: 0)) \(probe.meaning)") }
    }
}

struct FaultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faults",
        abstract: "List every fault kind: its fields in faults.schedule, what it does, and where it can be injected.")

    func run() {
        for kind in FaultKind.allCases {
            let declaration = kind.declaration
            let fields = declaration.fields.map { $0.required ? $0.name : "[\($0.name)]" }.joined(separator: ", ")
            print("\(kind.rawValue) {\(fields)}")
            print("    \(declaration.summary)")
            let modes = [FaultKind.Mode.cluster, .hosts].map { mode in
                kind.refusal(in: mode).map { "not with --\(mode.rawValue) (\($0))" } ?? "also with --\(mode.rawValue)"
            }
            print("    simulation; \(modes.joined(separator: "; "))")
        }
    }
}
