import ArgumentParser
import FaafoCluster
import FaafoTestKit
import Foundation
import Testing

@testable import FaafoCLI

/// `faafo demo` against a real `faafo-api` process with in-process workers, and its flags.
@Suite struct DemoCommandTests {
    static let tiny = ["--width", "64", "--height", "64", "--iterations", "64"]

    /// Runs `faafo demo` against a fresh API started with `apiArguments`.
    static func demo(_ arguments: [String], api apiArguments: [String] = ["--workers", "2"]) async throws -> CommandOutput {
        let api = try await APIServerProcess(apiArguments)
        defer { api.stop() }
        return try await ClientCommandsAgainstAPITests.faafo(api, ["demo"] + arguments)
    }

    static func jsonObject(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func aClosedLoopCompletesEveryTaskAndReportsEveryFigure() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let reportFolder = folder.url.appending(path: "report")
        let result = try await Self.demo(
            ["--tasks", "30", "--concurrency", "4", "--json", "--report", reportFolder.path] + Self.tiny)
        #expect(result.status == 0, "\(result.stderr)")

        let report = try Self.jsonObject(result.stdout)
        let tasks = try #require(report["tasks"] as? [String: Int])
        #expect(tasks == ["submitted": 30, "completed": 30, "failed": 0, "timed_out": 0, "verified": 30])
        let throughput = try #require(report["throughput"] as? [String: Double])
        #expect(throughput["completed_per_second"]! > 0 && throughput["created_per_second"]! > 0)
        let latency = try #require(report["latency"] as? [String: [String: Double]])
        for name in ["create", "stored"] {
            let summary = try #require(latency[name])
            #expect(summary["count"] == 30, "\(name)")
            // Stored latencies are read from millisecond timestamps, so 0 is a possible p50.
            #expect(summary["p50"]! >= (name == "create" ? 0.000_001 : 0) && summary["p50"]! <= summary["p90"]!, "\(name)")
            #expect(summary["p90"]! <= summary["p99"]! && summary["p99"]! <= summary["max"]!, "\(name)")
        }
        let workers = try #require(report["workers"] as? [String: Int])
        #expect(workers.values.reduce(0, +) == 30 && !workers.isEmpty)
        let settings = try #require(report["settings"] as? [String: Any])
        #expect(settings["pacing"] as? String == "closed_loop" && settings["concurrency"] as? Int == 4)

        // report.json is the same report; tasks.csv a row a task; report.html with its charts.
        let saved = try Self.jsonObject(try Data(contentsOf: reportFolder.appending(path: "report.json")))
        #expect(saved["tasks"] as? [String: Int] == tasks)
        let csv = try String(contentsOf: reportFolder.appending(path: "tasks.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.first?.first == "uuid" && rows.count == 31)
        for row in rows.dropFirst() {
            #expect(UUID(uuidString: String(row[0])) != nil && row[5] == "completed" && row[6] == "true", "\(row)")
            // The stored latency comes from the API's millisecond timestamps: an in-process
            // worker can store a tiny task within the millisecond it was created in (0.000).
            #expect(Double(row[1])! >= 0 && Double(row[2])! > 0 && Double(row[3])! >= 0, "\(row)")
            #expect(workers[String(row[4])] != nil, "\(row)")
        }
        #expect(Set(rows.dropFirst().map { $0[0] }).count == 30, "a uuid of its own for each")
        let html = try String(contentsOf: reportFolder.appending(path: "report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("</html>"))
    }

    @Test func anOpenLoopPacesItsCreatesAndSaysSoInText() async throws {
        let result = try await Self.demo(["--rate", "40", "--tasks", "12", "--width", "32", "--height", "32", "--iterations", "20"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("open loop at 40 a second"), "\(result.text)")
        #expect(result.text.contains("12 submitted, 12 completed, 0 failed, 0 timed out"), "\(result.text)")
        #expect(result.text.contains("create-to-stored latency  p50"), "\(result.text)")
        // Not a terminal: plain progress lines on stderr.
        #expect(result.stderr.contains("demo: checked 12 checksums against the render core"), "\(result.stderr)")
    }

    /// With no worker nothing is stored: the run ends at its timeout and says so, status 1.
    @Test func tasksNotStoredInTimeCountAsTimedOut() async throws {
        let result = try await Self.demo(
            ["--tasks", "3", "--timeout", "1", "--json"] + Self.tiny, api: ["--workers", "0"])
        #expect(result.status == 1, "\(result.stderr)")
        let tasks = try #require(try Self.jsonObject(result.stdout)["tasks"] as? [String: Int])
        #expect(tasks["submitted"] == 3 && tasks["timed_out"] == 3 && tasks["completed"] == 0)
        #expect(result.stderr.contains("3 of 3 tasks were not stored"), "\(result.stderr)")
    }

    @Test func anUnreachableAPIFailsEveryTask() async throws {
        let result = try await FaafoProcess.run(["--endpoint-url", "http://127.0.0.1:1", "demo", "--tasks", "2", "--json"] + Self.tiny)
        #expect(result.status == 1, "\(result.stderr)")
        let report = try Self.jsonObject(result.stdout)
        #expect((report["tasks"] as? [String: Int])?["failed"] == 2)
        let problems = try #require(report["problems"] as? [[String: Any]])
        #expect((problems.first?["problem"] as? String)?.contains("connection refused") == true, "\(problems)")
    }

    typealias BadArguments = CreateCommandTests.BadArguments

    static let badArguments = [
        BadArguments(
            ["--concurrency", "4", "--rate", "10"],
            "--concurrency and --rate exclude each other: give --concurrency for a closed loop or --rate for an open one"),
        BadArguments(["--tasks", "0"], "--tasks must be between 1 and 1000000, got 0"),
        BadArguments(["--concurrency", "0"], "--concurrency must be between 1 and 10000, got 0"),
        BadArguments(["--rate", "0"], "--rate must be more than 0 and at most 100000 tasks a second, got 0.0"),
        BadArguments(["--duration", "0"], "--duration must be a number of seconds above 0, got 0.0"),
        BadArguments(["--duration", "30", "--timeout", "20"], "--timeout (20.0 s) must be longer than --duration (30.0 s)"),
        BadArguments(["--width", "1"], "--width must be between 2 and 16384 pixels, got 1"),
    ]

    @Test(arguments: badArguments) func badFlagsAreNamed(_ bad: BadArguments) {
        #expect {
            _ = try Faafo.parseAsRoot(["demo"] + bad.arguments)
        } throws: { error in
            Faafo.message(for: error) == bad.message && Faafo.exitCode(for: error) == .validationFailure
        }
    }

    @Test func theExecutableRefusesBadFlagsWithStatus2() async throws {
        try await CreateCommandTests.expectRefused(["demo", "--tasks", "0"], saying: "--tasks must be between 1 and 1000000, got 0")
    }

    @Test func durationWithoutTasksIsLimitedByTimeOnly() throws {
        let command = try #require(try Faafo.parseAsRoot(["demo", "--duration", "5"]) as? DemoCommand)
        #expect(command.plan().tasks == DemoCommand.taskLimit)
        #expect(command.plan().pacing == .closedLoop(concurrency: 8))
        let fixed = try #require(try Faafo.parseAsRoot(["demo", "--rate", "2.5", "--no-verify"]) as? DemoCommand)
        #expect(fixed.plan().tasks == 100 && fixed.plan().pacing == .openLoop(perSecond: 2.5))
        #expect(fixed.plan().verification == .none)
    }

    /// `faafo-api --demo N`, the README's first command, runs on the same engine.
    @Test func theAPIsDemoBatchRunsOnTheSameEngine() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let config = folder.url.appending(path: "empty.conf")
        try Data("[DEFAULT]\n".utf8).write(to: config)
        let result = try await CommandOutput.run(
            FaafoProcess.executable.deletingLastPathComponent().appending(path: "faafo-api"),
            [
                "--config-file", config.path, "--transport-url", "memory://", "--workers", "2", "--demo", "6",
                "--database-url", "sqlite:///" + folder.url.appending(path: "faafo.db").path,
            ], environment: FaafoProcess.environment())
        let text = result.text
        #expect(result.status == 0, "\(text)\(result.stderr)")
        #expect(text.contains("6 submitted, 6 completed, 0 failed, 0 timed out"), "\(text)")
        #expect(text.contains("6 checksums verified against the render core"), "\(text)")
    }
}
