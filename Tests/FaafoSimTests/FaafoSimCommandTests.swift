import Foundation
import Testing

/// The `faafo-sim` executable as a user runs it: exit statuses and the replay command.
@Suite struct FaafoSimCommandTests {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let executable: URL = {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appending(path: "faafo-sim")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        fatalError("no faafo-sim executable near \(Bundle.main.bundleURL.path): build it with `swift build` first")
    }()

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = ScenarioFiles.packageRoot
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func aPassingRunPrintsTheSeedFirstAndExitsZero() throws {
        let result = try Self.run(["run", "Scenarios/smoke.yaml", "--seed", "5", "--tasks", "40"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("seed 5\n"))
        #expect(result.stdout.contains("scenario smoke: PASS"))
        #expect(result.stdout.contains("latency p50"))
    }

    @Test func aBrokenWorkerExitsOneWithTheReplayCommand() throws {
        let result = try Self.run(["run", "Scenarios/broken-worker.yaml", "--tasks", "200"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("FAIL (correctness)"))
        #expect(result.stdout.contains("lost"))
        #expect(result.stdout.contains("replay: faafo-sim run Scenarios/broken-worker.yaml --seed 9 --tasks 200"))
    }

    @Test func theJSONReportIsTheSameTwiceApartFromTheWallClock() throws {
        let arguments = ["run", "Scenarios/worker-crashes.yaml", "--seed", "77", "--tasks", "150", "--json"]
        let first = try Self.run(arguments)
        let second = try Self.run(arguments)
        #expect(first.status == 0 && second.status == 0)
        func withoutWallClock(_ json: String) throws -> NSDictionary {
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            #expect(object["wall_clock"] != nil)
            return object.filter { $0.key != "wall_clock" } as NSDictionary
        }
        #expect(try withoutWallClock(first.stdout) == withoutWallClock(second.stdout))
    }

    @Test func aBadScenarioExitsThreeNamingTheLine() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "faafo-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appending(path: "bad.yaml")
        try Data("name: bad\ncluster:\n  workers: -3\n".utf8).write(to: file)
        let result = try Self.run(["run", file.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("bad.yaml:3: cluster.workers must be between 1 and"))
    }

    @Test func aClusterRunRefusesFaultsWithNoRealCounterpart() throws {
        let result = try Self.run(["run", "Scenarios/duplicate-results.yaml", "--cluster"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("cannot run on a real cluster: result-failure"))
        let swarm = try Self.run(["run", "Scenarios/smoke.yaml", "--cluster", "--seeds", "1..3"])
        #expect(swarm.status == 3)
        #expect(swarm.stderr.contains("--seeds runs in simulation only"))
        let nowhere = try Self.run(["run", "Scenarios/smoke.yaml", "--cluster", "--executables", "/nonexistent"])
        #expect(nowhere.status == 3)
        #expect(nowhere.stderr.contains("--executables /nonexistent has no faafo-api"))
    }

    @Test func aSwarmListsTheFailingSeedsWithTheirReplayCommands() throws {
        let result = try Self.run(["run", "Scenarios/broken-worker.yaml", "--seeds", "1..3", "--tasks", "150"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("broken-worker: 3 seeds"))
        #expect(result.stdout.contains("replay: faafo-sim run Scenarios/broken-worker.yaml --seed"))
    }
}
