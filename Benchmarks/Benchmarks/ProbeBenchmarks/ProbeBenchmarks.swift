import Benchmark
import FaafoProbes

// What a probe costs in production code: `Probe.hit` where nothing records it (faafo-api
// and faafo-worker), and where a simulated run records it. A thousand hits an iteration,
// so that the figure per hit is the iteration's time divided by 1,000.
let benchmarks: @Sendable () -> Void = {
    let hits = 1_000
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .instructions, .mallocCountTotal], maxDuration: .seconds(2))

    Benchmark("probe hit, nothing recording (1000 hits)") { benchmark in
        for _ in benchmark.scaledIterations {
            for _ in 0..<hits { Probe.hit(.workerRetry) }
        }
    }

    Benchmark("probe hit, a run recording (1000 hits)") { benchmark in
        let recorder = ProbeRecorder()
        await Probe.recording(into: recorder) {
            for _ in benchmark.scaledIterations {
                for _ in 0..<hits { Probe.hit(.workerRetry) }
            }
        }
        blackHole(recorder.hits)
    }
}
