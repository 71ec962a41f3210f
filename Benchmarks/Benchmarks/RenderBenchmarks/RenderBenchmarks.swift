import Benchmark
import FractalCore
import FractalJob
import FractalPNG

// The workloads of the benchmark issue. c is given, so no seed search runs.
/// W1: 1024×768, 512 iterations over (-2, 2, -1.5, 1.5), c = (-0.8, 0.156).
let w1 = workload(width: 1024, height: 768, iterations: 512, xa: -2, xb: 2, ya: -1.5, yb: 1.5)
/// W3: 1024×1024, 2000 iterations over (-0.3, 0.3, -0.3, 0.3), c = (-0.8, 0.156); about 1.63e8 pixel-iterations.
let w3 = workload(width: 1024, height: 1024, iterations: 2000, xa: -0.3, xb: 0.3, ya: -0.3, yb: 0.3)

func workload(width: Int, height: Int, iterations: Int, xa: Double, xb: Double, ya: Double, yb: Double)
    -> FractalParameters
{
    let request = FractalRequest(
        width: width, height: height, iterations: iterations, xa: xa, xb: xb, ya: ya, yb: yb, cx: -0.8, cy: 0.156)
    do {
        return try request.validated()
    } catch {
        fatalError("benchmark workload rejected: \(error)")
    }
}

/// Escape-loop iterations per second of wall clock, recorded once per measured iteration.
let pixelIterationsPerSecond = BenchmarkMetric.custom(
    "pixel-iterations/s", polarity: .prefersLarger, useScalingFactor: false)

let allThreads = FrameRenderer.defaultThreadCount

/// W1's pixels, rendered once (lazily, on first use) into one contiguous RGB buffer.
let w1Pixels: [UInt8] = {
    var pixels = [UInt8]()
    pixels.reserveCapacity(w1.pixelByteCount)
    _ = FrameRenderer(w1, threads: allThreads).render { (band: RowBand) in
        pixels.append(contentsOf: band.bytes)
    }
    precondition(pixels.count == w1.pixelByteCount, "W1 rendered \(pixels.count) bytes, expected \(w1.pixelByteCount)")
    return pixels
}()

/// SHA-256 of each workload's raw RGB pixels. The pixel checksum is the same on every platform
/// (the render contract); these values were printed by the C yardstick in /work/shared/tools.
let expectedPixelChecksums = [
    w1: "73d47ffdfa058f7af4adb9305ed9fbf5d3e1ae4f33bf48f053e5435d076cc463",
    w3: "fba2c40639ae503374be79d6a04ef057006a01aa1a07489565065152301a09ce",
]

struct WrongPixels: Error, CustomStringConvertible {
    let description: String
}

/// Renders `parameters` once on `threads` threads, outside any measurement, and checks the
/// pixels: a fast renderer that draws the wrong picture must not pass for an improvement.
func checkPixels(_ parameters: FractalParameters, threads: Int) throws {
    let result = try RenderJob.run(parameters, threads: threads)
    guard let expected = expectedPixelChecksums[parameters], result.pixelChecksum == expected else {
        throw WrongPixels(
            description: "\(parameters.width)×\(parameters.height), \(parameters.iterations) iterations on \(threads) "
                + "thread(s): pixel checksum \(result.pixelChecksum), expected \(expectedPixelChecksums[parameters] ?? "?")")
    }
}

func record(_ benchmark: Benchmark, work: Int, since start: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - start
    let (seconds, attoseconds) = elapsed.components
    let elapsedSeconds = Double(seconds) + Double(attoseconds) * 1e-18
    benchmark.measurement(pixelIterationsPerSecond, Int((Double(work) / elapsedSeconds).rounded()))
}

let benchmarks: @Sendable () -> Void = {
    // Run each benchmark for at most maxDuration or maxIterations measured iterations,
    // whichever comes first, after a few unmeasured warmup iterations. The limits keep
    // the whole suite under about a minute and a half on a 2-core machine.
    func configuration(maxIterations: Int, maxDuration: Duration, warmup: Int = 2, throughput: Bool = true)
        -> Benchmark.Configuration
    {
        .init(
            metrics: throughput ? [.wallClock, pixelIterationsPerSecond] : [.wallClock],
            timeUnits: .microseconds,
            warmupIterations: warmup,
            scalingFactor: .one,
            maxDuration: maxDuration,
            maxIterations: maxIterations)
    }
    let short = configuration(maxIterations: 100, maxDuration: .seconds(5))
    let long = configuration(maxIterations: 40, maxDuration: .seconds(10))

    // Render only: every band is consumed (its first byte sent to a black hole) and dropped.
    for (label, parameters, config) in [("W1", w1, short), ("W3", w3, long)] {
        for threads in [1, allThreads] {
            let name = "render \(label) " + (threads == 1 ? "1 thread" : "all threads")
            Benchmark(name, configuration: config) { benchmark in
                let renderer = FrameRenderer(parameters, threads: threads)
                let start = ContinuousClock.now
                let statistics = renderer.render { (band: RowBand) in
                    blackHole(band.bytes[0])
                }
                record(benchmark, work: statistics.work, since: start)
                blackHole(statistics)
            } setup: {
                try checkPixels(parameters, threads: threads)
            }
            if allThreads == 1 { break }  // "all threads" would repeat "1 thread" under another name
        }
    }

    // PNG encode only: W1's pixels are rendered before the measurement, into one buffer.
    Benchmark(
        "PNG encode W1", configuration: configuration(maxIterations: 100, maxDuration: .seconds(5), throughput: false)
    ) { benchmark in
        let png = try w1Pixels.withUnsafeBufferPointer { pixels in
            benchmark.startMeasurement()
            let encoder = try PNGEncoder(width: w1.width, height: w1.height)
            try encoder.write(rows: pixels)
            let png = try encoder.finish()
            benchmark.stopMeasurement()
            return png
        }
        blackHole(png)
    } setup: {
        blackHole(w1Pixels.count)
    }

    // The whole task as a worker runs it: render, PNG encode, SHA-256 of the pixels and of the file.
    for (label, parameters, config) in [("W1", w1, short), ("W3", w3, long)] {
        Benchmark("task \(label) all threads", configuration: config) { benchmark in
            let start = ContinuousClock.now
            let result = try RenderJob.run(parameters, threads: allThreads)
            record(benchmark, work: result.work, since: start)
            blackHole(result)
        } setup: {
            try checkPixels(parameters, threads: allThreads)
        }
    }
}
