import FaafoCluster
import Foundation
import Testing

/// The `faafo-sim` executable as a user runs it: exit statuses and the replay command.
@Suite struct FaafoSimCommandTests {
    static let executable: URL = {
        do {
            return try LocalCluster.executablesFolder(containing: ["faafo-sim"]).appending(path: "faafo-sim")
        } catch {
            fatalError("\(error)")
        }
    }()

    /// Runs `faafo-sim` in the package's folder, where the scenario paths point.
    static func run(_ arguments: [String]) async throws -> CommandOutput {
        try await CommandOutput.run(executable, arguments, in: ScenarioFiles.packageRoot)
    }

    @Test func aPassingRunPrintsTheSeedFirstAndExitsZero() async throws {
        let result = try await Self.run(["run", "Scenarios/smoke.yaml", "--seed", "5", "--tasks", "40"])
        #expect(result.status == 0, "\(result.text)\(result.stderr)")
        #expect(result.text.hasPrefix("seed 5\n"))
        #expect(result.text.contains("scenario smoke: PASS"))
        #expect(result.text.contains("latency p50"))
    }

    @Test func aBrokenWorkerExitsOneWithTheReplayCommand() async throws {
        let result = try await Self.run(["run", "Scenarios/broken-worker.yaml", "--tasks", "200"])
        #expect(result.status == 1, "\(result.text)\(result.stderr)")
        #expect(result.text.contains("FAIL (correctness)"))
        #expect(result.text.contains("lost"))
        #expect(result.text.contains("replay: faafo-sim run Scenarios/broken-worker.yaml --seed 9 --tasks 200"))
    }

    @Test func theJSONReportIsTheSameTwiceApartFromTheWallClock() async throws {
        let arguments = ["run", "Scenarios/worker-crashes.yaml", "--seed", "77", "--tasks", "150", "--json"]
        let first = try await Self.run(arguments)
        let second = try await Self.run(arguments)
        #expect(first.status == 0 && second.status == 0)
        func withoutWallClock(_ json: String) throws -> NSDictionary {
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            #expect(object["wall_clock"] != nil)
            return object.filter { $0.key != "wall_clock" } as NSDictionary
        }
        #expect(try withoutWallClock(first.text) == withoutWallClock(second.text))
    }

    @Test func aBadScenarioExitsThreeNamingTheLine() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "faafo-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appending(path: "bad.yaml")
        try Data("name: bad\ncluster:\n  workers: -3\n".utf8).write(to: file)
        let result = try await Self.run(["run", file.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("bad.yaml:3: cluster.workers must be between 1 and"))
    }

    @Test func aClusterRunRefusesFaultsWithNoRealCounterpart() async throws {
        let result = try await Self.run(["run", "Scenarios/duplicate-results.yaml", "--cluster"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("cannot run on a real cluster: result-failure"))
        let swarm = try await Self.run(["run", "Scenarios/smoke.yaml", "--cluster", "--seeds", "1..3"])
        #expect(swarm.status == 3)
        #expect(swarm.stderr.contains("--seeds runs in simulation only"))
        let nowhere = try await Self.run(["run", "Scenarios/smoke.yaml", "--cluster", "--executables", "/nonexistent"])
        #expect(nowhere.status == 3)
        #expect(nowhere.stderr.contains("--executables /nonexistent has no faafo-api"))
    }

    @Test func aSwarmListsTheFailingSeedsWithTheirReplayCommands() async throws {
        let result = try await Self.run(["run", "Scenarios/broken-worker.yaml", "--seeds", "1..3", "--tasks", "150"])
        #expect(result.status == 1, "\(result.text)\(result.stderr)")
        #expect(result.text.contains("broken-worker: 3 seeds"))
        #expect(result.text.contains("replay: faafo-sim run Scenarios/broken-worker.yaml --seed"))
    }

    /// Seeds run in parallel print what they print one at a time, in seed order, whichever
    /// finished first.
    @Test func aSwarmPrintsTheSameWhateverItsJobs() async throws {
        let arguments = ["run", "Scenarios/broken-worker.yaml", "--seeds", "1..8", "--tasks", "120"]
        let one = try await Self.run(arguments + ["--jobs", "1"])
        let two = try await Self.run(arguments + ["--jobs", "2"])
        #expect(one.status == 1, "\(one.text)\(one.stderr)")
        #expect(one.text.contains("replay: faafo-sim run Scenarios/broken-worker.yaml --seed"))
        #expect(two.status == one.status)
        #expect(two.text == one.text)
    }
}
