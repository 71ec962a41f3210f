import FaafoWire
import Foundation
import FractalCore
import GoldenFixtures

/// The load of one run, decided up front from the workload's generator: every task's
/// uuid, request and arrival time, and the poison messages. The checker never sees how
/// these were drawn; it judges the stored results against the requests alone.
package struct WorkloadPlan {
    package struct Task {
        package let uuid: String
        package let request: CreateFractal
        package let arrival: Tick
        /// The fixture case this task repeats, when the workload comes from a golden file.
        let golden: GoldenCase?
    }

    package struct Poison {
        package let arrival: Tick
        package let messageID: String
        package let body: Data
    }

    package var tasks: [Task] = []
    package var poison: [Poison] = []
    /// The positions of the tasks the run creates, in order: every task, or those a
    /// scenario's `workload.only` names (a shrunk scenario keeps the few its failure needs,
    /// each with the uuid, parameters and arrival it had among all of them).
    package var active: [Int] = []

    init(_ workload: Scenario.Workload, tasks count: Int, poison poisonCount: Int, fixture: GoldenFile?, random: inout SimulationRandom) {
        var pool: [CreateFractal] = []
        if let distinct = workload.distinct, fixture == nil {
            pool = (0..<distinct).map { _ in Self.drawRequest(workload, &random) }
        }
        var tick: Tick = 0
        tasks.reserveCapacity(count)
        for index in 0..<count {
            tick = Self.arrival(after: tick, index: index, workload.arrival, &random)
            let uuid = Self.uuid(&random)
            var golden: GoldenCase?
            var request: CreateFractal
            if let fixture, !fixture.cases.isEmpty {
                let chosen = fixture.cases[index % fixture.cases.count]
                golden = chosen
                request = Self.request(for: chosen)
            } else if !pool.isEmpty {
                request = pool[random.int(in: 0...(pool.count - 1))]
            } else {
                request = Self.drawRequest(workload, &random)
            }
            request.uuid = uuid
            tasks.append(Task(uuid: uuid, request: request, arrival: tick, golden: golden))
        }
        active = Array(tasks.indices)
        if let only = workload.only { active = only.filter { $0 < tasks.count } }
        for index in 0..<poisonCount {
            // Spread among the tasks' arrivals; half not JSON, half a task outside the contract.
            let arrival = tasks.isEmpty ? 0 : tasks[index * tasks.count / poisonCount].arrival
            let body: Data
            if index.isMultiple(of: 2) {
                body = Data("poison \(index): not a task message".utf8)
            } else {
                let message = TaskMessage(
                    uuid: Self.uuid(&random),
                    fractal: FractalRequest(
                        width: 0, height: 32, iterations: 32, xa: -1, xb: 1, ya: -1, yb: 1, seed: 1))
                body = (try? message.jsonBody()) ?? Data()
            }
            poison.append(Poison(arrival: arrival, messageID: "poison-\(index)", body: body))
        }
    }

    /// A task of the workload's ranges, with a seed for c, or (a share `explicit-c` of
    /// them, drawn after the rest so that a workload without it draws what it drew before)
    /// with c itself, as a client that picks c does, or (a share `original-clients`) with
    /// neither, as the original faafo client sends it.
    static func drawRequest(_ workload: Scenario.Workload, _ random: inout SimulationRandom) -> CreateFractal {
        let plane = workload.plane
        var request = CreateFractal(
            fractal: FractalRequest(
                width: workload.width.draw(&random), height: workload.height.draw(&random),
                iterations: workload.iterations.draw(&random), xa: plane[0], xb: plane[1], ya: plane[2], yb: plane[3],
                seed: random.next()))
        if random.chance(workload.explicitC) {
            request.fractal.seed = nil
            request.fractal.cx = random.unit() * (plane[1] - plane[0]) + plane[0]
            request.fractal.cy = random.unit() * (plane[3] - plane[2]) + plane[2]
        } else if random.chance(workload.originalClients) {
            // As the original faafo client asks: neither c nor a seed; the API draws the seed.
            request.fractal.seed = nil
        }
        return request
    }

    static func request(for golden: GoldenCase) -> CreateFractal {
        CreateFractal(fractal: golden.request)
    }

    static func arrival(after tick: Tick, index: Int, _ arrival: Scenario.Arrival, _ random: inout SimulationRandom) -> Tick {
        switch arrival {
        case .burst:
            return 0
        case .uniform(let rate):
            return Tick((Double(index) * Double(ticksPerSecond) / rate).rounded())
        case .poisson(let rate):
            guard index > 0 else { return 0 }
            // Exponential gaps; 1 - unit() is in (0, 1], so the logarithm is finite.
            let gap = -log(1 - random.unit()) / rate * Double(ticksPerSecond)
            return tick + Tick(gap.rounded())
        }
    }

    /// A version-4 uuid from the generator, in lowercase.
    static func uuid(_ random: inout SimulationRandom) -> String {
        FractalUUID.text(UUID(random: &random))
    }
}

extension UUID {
    /// A version-4 (random) uuid drawn from the simulation's generator.
    init(random: inout SimulationRandom) {
        var bytes = [UInt8](repeating: 0, count: 16)
        for half in 0..<2 {
            let value = random.next()
            for index in 0..<8 { bytes[half * 8 + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        }
        bytes[6] = bytes[6] & 0x0f | 0x40
        bytes[8] = bytes[8] & 0x3f | 0x80
        self.init(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
