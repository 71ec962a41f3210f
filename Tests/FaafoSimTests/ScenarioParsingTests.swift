import FaafoSim
import Foundation
import Testing

@Suite struct ScenarioParsingTests {
    @Test func everyShippedScenarioLoads() throws {
        #expect(ScenarioFiles.all.count >= 8)
        for name in ScenarioFiles.all {
            let scenario = try ScenarioFiles.load(name)
            #expect(scenario.seed != nil, "\(name) has no default seed")
        }
    }

    @Test func readsEveryBlock() throws {
        let scenario = try Scenario(
            yaml: """
                name: all-blocks
                seed: 12
                workload:
                  tasks: 1_000
                  width: [16, 64]
                  iterations: 40
                  distinct: 10
                  arrival: {pattern: poisson, rate: 250}
                cluster:
                  controllers: 2
                  workers: [3, 5]
                  prefetch: 4
                  network: 2ms
                faults:
                  until: 3s
                  worker-crash: {before-render: 0.1, after-result-before-ack: 0.2, restart-after: 1s}
                  slow-worker: {probability: 0.5, stall: 10s, consumer-timeout: 2s}
                  controller-crash: {at: [1s, 1500ms], down-for: 300ms}
                  result-failure: {error-5xx: 0.01, timeout: 0.02}
                  poison: 7
                  duplicate-delivery: 0.03
                expect:
                  max-redeliveries: 40
                  min-throughput: 12.5
                  within: 90s
                """, file: "inline.yaml")
        #expect(scenario.name == "all-blocks")
        #expect(scenario.seed == 12)
        #expect(scenario.workload.tasks == 1000)
        #expect(scenario.workload.width == Scenario.Setting(16...64))
        #expect(scenario.workload.arrival == .poisson(rate: 250))
        #expect(scenario.cluster.workers == Scenario.Setting(3...5))
        #expect(scenario.cluster.network == 2_000)
        #expect(scenario.faults.until == 3_000_000)
        #expect(scenario.faults.workerCrash == [.beforeRender: 0.1, .afterResultBeforeAck: 0.2])
        #expect(scenario.faults.workerRestart == 1_000_000)
        #expect(scenario.faults.consumerTimeout == 2_000_000)
        #expect(scenario.faults.controllerCrashAt == [1_000_000, 1_500_000])
        #expect(scenario.faults.poison == 7)
        #expect(scenario.expect.maxRedeliveries == 40)
        #expect(scenario.expect.minThroughput == 12.5)
        #expect(scenario.expect.within == 90_000_000)
    }

    @Test(arguments: [
        ("cluster:\n  workers: 2\n  wokers: 3\n", 3, "unknown key 'wokers' in cluster"),
        ("workload:\n  tasks: 10\nfaults:\n  worker-crash:\n    before-render: 1.5\n", 5, "probability"),
        ("workload:\n  tasks: many\n", 2, "workload.tasks must be a whole number, got 'many'"),
        ("faults:\n  slow-worker:\n    stall: soon\n", 3, "faults.slow-worker.stall must be a duration"),
        ("workload:\n  arrival: {pattern: trickle}\n", 2, "burst, uniform or poisson"),
        ("workload:\n  width: [64, 16]\n", 2, "low 64 is above high 16"),
        ("expect:\n  lost: 0\n  lost: 1\n", 2, "duplicated key(s): 'lost'"),
        ("name: x\n  bad: [\n", 2, "not valid YAML"),
        ("colour: blue\n", 1, "unknown key 'colour' in the scenario"),
        ("faults:\n  partition:\n    at: [1s]\n    heartbeat: 0ms\n", 4, "faults.partition.heartbeat must be above 0"),
        ("faults:\n  host-crash:\n    at: 1s\n", 3, "faults.host-crash.at must be a list of times"),
        ("faults:\n  database-restart:\n    at: [soon]\n", 3, "faults.database-restart.at must be a duration"),
        ("cluster:\n  hosts: 0\n", 2, "cluster.hosts"),
        ("faults:\n  slow-confirm:\n    max: 5s\n", 3, "faults.slow-confirm.max must be above 0 and below the outbox's grace (5 s)"),
    ])
    func aBadScenarioNamesItsLine(yaml: String, line: Int, message: String) {
        #expect {
            _ = try Scenario(yaml: yaml, file: "bad.yaml")
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            return error.line == line && error.message.contains(message) && error.description.hasPrefix("bad.yaml:\(line): ")
        }
    }

    /// What `load(from:)` makes of a file holding `bytes`.
    static func loadFile(_ bytes: [UInt8]) throws(ScenarioError) -> Scenario {
        let path = FileManager.default.temporaryDirectory.appending(path: "faafo-scenario-\(UUID().uuidString).yaml").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Scenario.load(from: path)
    }

    // Fuzz/FuzzScenario's first find: an empty file (String(contentsOfFile:) leaked its buffer).
    @Test func anEmptyScenarioFileIsReportedEmpty() {
        #expect {
            _ = try Self.loadFile([])
        } throws: { error in
            (error as? ScenarioError).map { $0.line == 1 && $0.message == "the scenario is empty" } ?? false
        }
    }

    @Test func aScenarioFileThatIsNotUTF8SaysSo() {
        #expect {
            _ = try Self.loadFile(Array("name: ".utf8) + [0xff, 0xfe, 0x0a])
        } throws: { error in
            (error as? ScenarioError).map { $0.line == 0 && $0.message.contains("not UTF-8 text") } ?? false
        }
    }

    @Test func aMissingScenarioFileSaysSo() {
        #expect {
            _ = try Scenario.load(from: "/nonexistent/faafo/scenario.yaml")
        } throws: { error in
            (error as? ScenarioError).map { $0.line == 0 && $0.message.contains("cannot read the scenario") } ?? false
        }
    }

    /// libyaml's nesting limit answers, rather than the stack running out.
    @Test(arguments: ["[", "{a: "])
    func deeplyNestedYAMLIsAnError(opening: String) {
        #expect {
            _ = try Scenario(yaml: "workload: " + String(repeating: opening, count: 50_000), file: "deep.yaml")
        } throws: { error in
            (error as? ScenarioError).map { $0.message.contains("not valid YAML") } ?? false
        }
    }
}
