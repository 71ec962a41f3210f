import FaafoWire
import FractalCore
import FractalJob
import Testing

@testable import FaafoLoad

@Suite struct LoadPlanTests {
    @Test func pollWaitsStartNearTheRecentLatencyAndGrowToALimit() {
        let schedule = PollSchedule(shortest: .milliseconds(10), longest: .seconds(2), growth: 1.5)
        func near(_ wait: Duration, _ milliseconds: Double) -> Bool { abs(wait.milliseconds - milliseconds) < 0.001 }
        #expect(near(schedule.firstWait(recentLatency: nil), 10))
        #expect(near(schedule.firstWait(recentLatency: .milliseconds(100)), 90))
        #expect(near(schedule.firstWait(recentLatency: .seconds(60)), 2000))
        #expect(near(schedule.nextWait(after: .milliseconds(100)), 150))
        #expect(near(schedule.nextWait(after: .seconds(1.9)), 2000))
    }

    @Test func smallVerificationCoversTinyTasksOnly() {
        let plan = LoadPlan(tasks: 1, pacing: .closedLoop(concurrency: 1), verification: .small)
        #expect(plan.verifies(width: 64, height: 64, iterations: 64))
        #expect(plan.verifies(width: 256, height: 256, iterations: 64))
        #expect(!plan.verifies(width: 256, height: 256, iterations: 65))
        #expect(!plan.verifies(width: .max, height: 2, iterations: 1), "no overflow")
        #expect(LoadPlan(tasks: 1, pacing: .openLoop(perSecond: 1), verification: .all).verifies(
            width: 9999, height: 9999, iterations: 512))
    }

    /// The check renders with the real render core: the right checksums pass, a wrong one is named.
    @Test func checksumCheckNamesAMismatch() throws {
        let parameters = try FractalRequest(
            width: 48, height: 32, iterations: 50, xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: 7
        ).validated()
        let rendered = try RenderJob.run(parameters, threads: 2)
        var object = FractalObject(
            uuid: "0b4a4f06-6f45-4a5b-8f7e-3d4c2b1a0f99",
            fractal: FractalRequest(
                width: 48, height: 32, iterations: 50, xa: -2, xb: 2, ya: -1.5, yb: 1.5, cx: parameters.cx,
                cy: parameters.cy, seed: 7),
            size: rendered.size, checksum: rendered.checksum, pixelChecksum: rendered.pixelChecksum,
            status: .completed, createdAt: "2026-11-25T16:20:17.123Z", completedAt: "2026-11-25T16:20:17.623Z")
        #expect(ChecksumCheck.problem(with: object, threads: 1) == nil)
        #expect(abs(try #require(object.storedLatency).milliseconds - 500) < 0.01)

        object.pixelChecksum = String(repeating: "0", count: 64)
        let problem = try #require(ChecksumCheck.problem(with: object, threads: 1))
        #expect(problem.contains("pixel checksum 000") && problem.contains(rendered.pixelChecksum))

        // Without c, the seed gives it, as for an original worker.
        object.pixelChecksum = rendered.pixelChecksum
        object.fractal.cx = nil
        object.fractal.cy = nil
        #expect(ChecksumCheck.problem(with: object, threads: 1) == nil)
    }
}
