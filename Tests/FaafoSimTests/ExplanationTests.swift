import FaafoSim
@testable import FaafoClusterScenario
import FaafoTestKit
import Foundation
import Testing

/// A failing run explains itself: the story of a failing task names what lost it, the
/// shrinker hands back a minimal scenario that fails the same way, and the timeline draws
/// the run in a browser with the failing task's path picked out.
@Suite struct ExplanationTests {
    static func brokenWorker() async throws -> (Simulation, SimulationReport) {
        let scenario = try ScenarioFiles.load("broken-worker.yaml")
        let simulation = try Simulation(scenario: scenario, seed: scenario.seed ?? 9)
        return (simulation, await simulation.run())
    }

    /// broken-worker acknowledges before delivering; a crash with the PUT on the wire
    /// loses the task. Its story must show the acknowledgement, then the crash.
    @Test func theStoryOfALostTaskNamesTheCrashThatLostIt() async throws {
        let (_, report) = try await Self.brokenWorker()
        #expect(report.verdict == .correctness)
        let story = try #require(report.stories?.first { $0.failure == "lost" })
        let events = story.events.map(\.line)
        let ack = try #require(events.firstIndex { $0.contains("ack: taken") }, "\(events)")
        let crash = try #require(events.firstIndex { $0.contains("crash: SIGKILL during-result") }, "\(events)")
        #expect(ack < crash)
        #expect(events.contains { $0.contains("cut off before it reached the API") })
        #expect(report.summary.contains("story of \(story.task)"))
        // --json carries the same stories.
        #expect(report.json().contains("\"stories\""))
    }

    /// The target of issue 22: 300 tasks and 26 crashes shrink to at most 2 tasks and 2
    /// faults, and the scenario written fails the same way when read back.
    @Test func brokenWorkerShrinksToAMinimalScenarioThatFailsTheSameWay() async throws {
        let scenario = try ScenarioFiles.load("broken-worker.yaml")
        let result = try await Shrinker(scenario: scenario, seed: 9, scenarioFile: ScenarioFiles.path("broken-worker.yaml"))
            .shrink()
        #expect(result.failure == "lost")
        #expect(result.before.tasks == 300 && result.before.faults == 26)
        #expect(result.after.tasks <= 2 && result.after.faults <= 2, "\(result.after)")
        let written = try Scenario(yaml: result.scenario.yaml, file: "shrunk.yaml")
        #expect(written.faults.schedule == result.scenario.faults.schedule)
        #expect(written.workload.only == result.scenario.workload.only)
        let replay = await (try Simulation(scenario: written, seed: written.seed ?? 0)).run()
        #expect(replay.verdict == .correctness)
        #expect(replay.failingTasks?["lost"]?.isEmpty == false)
    }

    @Test func aPassingRunHasNothingToShrink() async throws {
        let scenario = try ScenarioFiles.load("smoke.yaml")
        await #expect(throws: Shrinker.NothingToShrink.self) {
            _ = try await Shrinker(scenario: scenario, seed: 1, taskCount: 20).shrink()
        }
    }

    /// The timeline loads in chromium, which lays out the failing task's path.
    @Test(.tags(.browser), .needs(.browser))
    func theTimelineLoadsInABrowserWithTheFailingTaskPickedOut() async throws {
        _ = try #require(Browser.chromium, "no chromium was found")
        let (simulation, report) = try await Self.brokenWorker()
        let stories = try #require(report.stories)
        let folder = FileManager.default.temporaryDirectory.appending(path: "faafo-timeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appending(path: "timeline.html")
        let html = Timeline.html(
            title: "broken-worker", events: simulation.traceEvents, stories: stories, summary: report.summary(withStories: false))
        try Data(html.utf8).write(to: page)
        let dom = try await Browser.dumpDOM(of: page, in: folder)
        #expect(dom.contains("data-failing-visible=\"\(stories.count)\""), "\(dom.prefix(600))")
        #expect(dom.contains("id=\"failing-\(stories[0].task)\""))
        #expect(dom.contains("data-drawn=\""))
    }
}

/// Debian's chromium (`Browser.chromium`), headless, for the timeline page (a file: no
/// server, no network).
extension Browser {
    /// The page's DOM once its scripts ran, as chromium prints it (`--dump-dom`), killed
    /// after 60 s.
    static func dumpDOM(of page: URL, in folder: URL) async throws -> String {
        let output = folder.appending(path: "dom.html")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = chromium
        process.arguments =
            [
                "--headless", "--disable-gpu", "--no-first-run", "--user-data-dir=\(folder.appending(path: "profile").path)",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--disable-dev-shm-usage", "--virtual-time-budget=5000", "--dump-dom", page.absoluteString,
            ] + (getuid() == 0 ? ["--no-sandbox"] : [])
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw Failure("chromium ran longer than 60 s and was killed")
        }
        guard process.terminationStatus == 0 else { throw Failure("chromium exited with \(process.terminationStatus)") }
        return String(decoding: try Data(contentsOf: output), as: UTF8.self)
    }
}

/// Where a simulation and a cluster's run of one seed differ, class by class.
@Suite struct RunComparisonTests {
    @Test func anOutcomeThatDiffersIsNamedAndATimingCountIsNot() async throws {
        let scenario = try ScenarioFiles.load("worker-crashes.yaml")
        let simulated = await (try Simulation(scenario: scenario, seed: 2, taskCount: 60)).run()
        var cluster = simulated
        cluster.mode = .cluster
        cluster.counters.redeliveries += 3
        #expect(RunComparison(simulation: simulated, cluster: cluster).disagreements.isEmpty)
        cluster.tasks.lost = 2
        cluster.tasks.completed -= 2
        let comparison = RunComparison(simulation: simulated, cluster: cluster)
        #expect(comparison.disagreements.map(\.what) == ["completed", "lost"])
        let text = comparison.lines.joined(separator: "\n")
        #expect(text.contains("redeliveries") && text.contains("~ timing"))
        #expect(text.contains("they differ on completed, lost"))
    }
}

/// A real cluster's trace is read from its processes' log lines.
@Suite struct ClusterTraceTests {
    @Test func aLogLineBecomesAnEventOfItsTaskAtItsTime() throws {
        let line = "2026-12-07 22:55:02.708 19029 DEBUG faafo.worker [-] rendering 136cc360-06e2-4e67-b9f2-65d9e8b9a3bc (redelivered)"
        let (date, message) = try #require(ClusterTrace.parse(line))
        #expect(message == "rendering 136cc360-06e2-4e67-b9f2-65d9e8b9a3bc (redelivered)")
        let parts = Calendar.current.dateComponents([.hour, .minute, .second, .nanosecond], from: date)
        #expect(parts.hour == 22 && parts.minute == 55 && parts.second == 2)
        #expect(abs((parts.nanosecond ?? 0) - 708_000_000) < 1_000)
        #expect(ClusterTrace.event(of: message) == "render")
        #expect(ClusterTrace.uuid(in: message) == "136cc360-06e2-4e67-b9f2-65d9e8b9a3bc")
        #expect(ClusterTrace.event(of: "fractal 136cc360-06e2-4e67-b9f2-65d9e8b9a3bc completed by w in 0.1 seconds") == "complete")
        #expect(ClusterTrace.parse("not a log line") == nil)
        #expect(ClusterTrace.event(of: "listening on 0.0.0.0:8080") == nil)
    }
}
