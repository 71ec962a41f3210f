import Foundation
import GoldenFixtures

/// What a run of a scenario draws from its seed before anything happens: the settings,
/// the workload (every task's uuid, parameters and arrival) and the fault generator.
/// A simulation and a cluster run of the same scenario and seed share it, so they
/// create the very same tasks.
package struct RunSetup {
    package let settings: SimulationSettings
    package let plan: WorkloadPlan
    package let fixture: GoldenFile?
    /// The generator the faults draw from, split from the seed.
    package var faultRandom: SimulationRandom

    /// The share of the tasks that must be completed before the fault phase ends (when
    /// the scenario sets no `until`).
    package static let recoveryShare = 0.9

    /// Throws `ScenarioError` if the fixture file cannot be read. `taskCount` overrides
    /// the scenario's task count.
    /// `settingsFrom`: draw the cluster's sizes as the run of that seed draws them (what a
    /// swarm's `--explore` reuses), everything else from `seed`.
    package init(scenario: Scenario, seed: UInt64, taskCount: Int?, scenarioFile: String, settingsFrom: UInt64? = nil)
        throws(ScenarioError)
    {
        var main = SimulationRandom(seed: seed)
        var seeds = SimulationSettings.PartSeeds(
            settings: main.next(), workload: main.next(), identities: main.next(), faults: main.next())
        if let settingsFrom {
            var other = SimulationRandom(seed: settingsFrom)
            seeds.settings = other.next()
        }
        var settingsRandom = SimulationRandom(seed: seeds.settings)
        let cluster = scenario.cluster
        let concurrency = cluster.concurrency.draw(&settingsRandom)
        let tasks = taskCount ?? scenario.workload.tasks

        var fixture: GoldenFile?
        if let path = scenario.workload.fixture {
            do {
                fixture = try GoldenFile.load(from: URL(fileURLWithPath: path))
            } catch {
                throw ScenarioError(file: scenarioFile, line: 0, "cannot read the fixture: \(error)")
            }
        }
        self.fixture = fixture
        var workloadRandom = SimulationRandom(seed: seeds.workload)
        plan = WorkloadPlan(
            scenario.workload, tasks: tasks, poison: scenario.faults.poison, fixture: fixture, random: &workloadRandom)

        let controllers = cluster.controllers.draw(&settingsRandom)
        let workers = cluster.workers.draw(&settingsRandom)
        let prefetch = cluster.prefetch?.draw(&settingsRandom) ?? concurrency
        // Drawn last, so that a scenario without hosts draws what it drew before they existed.
        let hosts = min(workers, cluster.hosts?.draw(&settingsRandom) ?? workers)
        settings = SimulationSettings(
            seed: seed, tasks: plan.active.count, poison: scenario.faults.poison, controllers: controllers, workers: workers,
            concurrency: concurrency, prefetch: prefetch, hosts: hosts, seeds: seeds,
            faultPhaseEnd: scenario.faults.until.map(Simulation.seconds)
                ?? "\(Int(Self.recoveryShare * 100))% of the tasks are completed or \(Simulation.seconds(scenario.expect.within / 2))",
            renderCache: scenario.workload.distinct != nil || fixture != nil)
        faultRandom = SimulationRandom(seed: seeds.faults)
    }
}
