import ArgumentParser
import FaafoCluster
import FaafoClusterScenario
import FaafoSim
import Foundation

@main
struct FaafoSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faafo-sim",
        abstract: "Runs faafo's controllers and workers in simulated time, injects faults from a seed, checks every task.",
        subcommands: [RunCommand.self])
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

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Run on a real local cluster (RabbitMQ, faafo-api, faafo-worker) instead of in simulation.")
    var cluster = false

    @Option(help: "With --cluster: the folder of faafo-api and faafo-worker (default: beside faafo-sim).")
    var executables: String?

    @Flag(help: "With --cluster: run on test hosts of this machine (network namespaces; root): a controller, a client and the scenario's worker hosts.")
    var hosts = false

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
            simulation = try Simulation(scenario: loaded, seed: seed, taskCount: tasks, scenarioFile: scenario)
        } catch {
            printError("faafo-sim: \(error)")
            throw ExitCode(3)
        }
        if !json { print(simulation.settings.lines.joined(separator: "\n")) }
        let progress = ProgressLine()
        let report = await simulation.run { progress.show($0.line) }
        progress.clear()
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
                    arguments: Array(CommandLine.arguments.dropFirst()) + (executables == nil ? ["--executables", folder.path] : []))
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
            report = try await run.run(executables: folder, hosts: attached) { progress.show($0.line) }.report
        } catch {
            if ServiceProcess.isInterrupted { await ServiceProcess.awaitInterruptExit() }
            printError("faafo-sim: the cluster run failed: \(error)")
            throw ExitCode(2)
        }
        if json { print(report.json()) } else { print(report.summary) }
        guard report.verdict == .pass else {
            let command = replay(seed) + " --cluster" + (hosts ? " --hosts" : "")
            if json { printError("replay: \(command)") } else { print("replay: \(command)") }
            throw ExitCode(report.verdict.exitCode)
        }
    }

    func swarm(_ loaded: Scenario, _ range: ClosedRange<UInt64>) async throws {
        let total = range.upperBound - range.lowerBound + 1
        let progress = ProgressLine()
        let outcomes: [Swarm.Outcome]
        do {
            outcomes = try await Swarm.run(
                loaded, seeds: range, taskCount: tasks, scenarioFile: scenario,
                parallelism: jobs ?? ProcessInfo.processInfo.activeProcessorCount
            ) { done in progress.show("\(done)/\(total) seeds run") }
        } catch {
            progress.clear()
            printError("faafo-sim: \(error)")
            throw ExitCode(3)
        }
        progress.clear()
        let failing = outcomes.filter { $0.verdict != .pass }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(outcomes), as: UTF8.self))
        } else {
            print("\(loaded.name): \(outcomes.count) seeds, \(outcomes.count - failing.count) passed, \(failing.count) failed")
            for outcome in failing {
                print("  seed \(outcome.seed): \(outcome.verdict.rawValue): \(outcome.failures.joined(separator: "; "))")
                print("    replay: \(replay(outcome.seed))")
            }
        }
        if let worst = failing.map(\.verdict).max() { throw ExitCode(worst.exitCode) }
    }

    func replay(_ seed: UInt64) -> String {
        var command = "faafo-sim run \(scenario) --seed \(seed)"
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
