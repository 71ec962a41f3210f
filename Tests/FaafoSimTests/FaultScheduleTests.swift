import FaafoSim
import Testing

/// A run's faults, made explicit, replay it: the same report, event for event. That is
/// what lets `faafo-sim shrink` take faults away one by one and keep the rest as they were.
/// Serialized, as `SimulationTests` is, and on at most 400 tasks a scenario.
@Suite(.serialized) struct FaultScheduleTests {
    @Test(arguments: ScenarioFiles.all)
    func aRunReplaysFromItsInjectedFaults(name: String) async throws {
        let scenario = try ScenarioFiles.load(name)
        let tasks = min(scenario.workload.tasks, 400)
        let drawn = try Simulation(scenario: scenario, seed: scenario.seed ?? 1, taskCount: tasks)
        let first = await drawn.run()
        var explicit = scenario
        explicit.faults.schedule = drawn.injectedFaults
        let replay = try Simulation(scenario: explicit, seed: scenario.seed ?? 1, taskCount: tasks)
        let second = await replay.run()
        #expect(replay.injectedFaults == drawn.injectedFaults)
        // The drawn run also handles the ticks at which it draws a controller crash and
        // draws none: events that change nothing, which an explicit run does not have.
        var (a, b) = (first.deterministicPart, second.deterministicPart)
        (a.counters.events, b.counters.events) = (0, 0)
        #expect(a.json() == b.json())
        let (events, replayed) = (drawn.traceEvents, replay.traceEvents)
        let differ = zip(events, replayed).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(
            events.count == replayed.count && differ == nil,
            "first difference at event \(differ ?? min(events.count, replayed.count)): \(differ.map { "\(events[$0].line) / \(replayed[$0].line)" } ?? "")")
    }

    /// Every explicit fault survives being written as YAML and read back.
    @Test func aScheduleReadsBackAsWritten() throws {
        let scenario = try ScenarioFiles.load("worker-crashes.yaml")
        let faults: [ScheduledFault] = [
            ScheduledFault(.workerCrash, task: 3, occurrence: 1, point: "during-result", flag: false),
            ScheduledFault(.controllerCrash, task: 7, occurrence: 2, point: "after-publish"),
            ScheduledFault(.controllerCrash, at: 1_500, target: 1),
            ScheduledFault(.partition, at: 2_000_000, target: 2, length: 250_000),
            ScheduledFault(.corruptResult, task: 1, occurrence: 1, point: "pixel-checksum", flag: true),
            ScheduledFault(.clockSkew, point: "behind", target: 0, length: 3_000_000),
            ScheduledFault(.smallWorker, target: 1, amount: 40_000),
            ScheduledFault(.slowConfirm, task: 2, occurrence: 1, length: 1_500_000),
        ]
        let yaml = "name: x\nfaults:\n  schedule:\n" + faults.map { "    - \($0.yaml)\n" }.joined()
        let read = try Scenario(yaml: yaml, file: "x.yaml")
        #expect(read.faults.schedule == faults)
        _ = scenario
    }

    @Test func aScheduledFaultWithAMissingOrUnknownFieldIsRefusedByName() {
        for (yaml, mentions) in [
            ("- {fault: worker-crash, task: 1, delivery: 1}", "needs `step`"),
            ("- {fault: worker-crash, task: 1, delivery: 1, step: sideways}", "step must be one of"),
            ("- {fault: host-crash, at: 1s, host: 0, down-for: 1s, colour: red}", "unknown key 'colour'"),
            ("- {fault: no-such-fault}", "faults.schedule: fault must be one of"),
            ("- {fault: controller-crash, task: 1}", "give task and point"),
        ] {
            #expect(throws: ScenarioError.self) { try Scenario(yaml: "faults:\n  schedule:\n    \(yaml)\n", file: "x.yaml") }
            do {
                _ = try Scenario(yaml: "faults:\n  schedule:\n    \(yaml)\n", file: "x.yaml")
            } catch {
                #expect("\(error)".contains(mentions), "\(error)")
            }
        }
    }
}

/// A scenario written back as YAML (what `faafo-sim shrink` writes) reads back to the same
/// scenario: writing it again gives the same text, and it runs the same.
@Suite(.serialized) struct ScenarioWritingTests {
    @Test(arguments: ScenarioFiles.all)
    func aShippedScenarioReadsBackAsWritten(name: String) async throws {
        let scenario = try ScenarioFiles.load(name)
        let written = scenario.yaml
        let read = try Scenario(yaml: written, file: "written.yaml")
        #expect(read.yaml == written)
        guard scenario.workload.fixture == nil, scenario.workload.tasks <= 1_000 else { return }
        let first = await (try Simulation(scenario: scenario, seed: 5, taskCount: 50)).run()
        let second = await (try Simulation(scenario: read, seed: 5, taskCount: 50)).run()
        var (a, b) = (first.deterministicPart, second.deterministicPart)
        (a.scenario, b.scenario) = ("", "")
        #expect(a.json() == b.json())
    }
}
