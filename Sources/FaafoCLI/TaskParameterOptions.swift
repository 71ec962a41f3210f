import ArgumentParser
import FaafoWire
import FractalCore

/// The flags that choose each fractal's parameters, as the original `faafo create` took
/// them: a value, or a random one in a range. `create` and `demo` share them.
struct TaskParameterOptions: ParsableArguments {
    @Option(help: "Image width in pixels (default: random between --min-width and --max-width).") var width: Int?
    @Option(help: "Image height in pixels (default: random between --min-height and --max-height).") var height: Int?
    @Option(help: "Smallest random width.") var minWidth = 256
    @Option(help: "Largest random width.") var maxWidth = 1024
    @Option(help: "Smallest random height.") var minHeight = 256
    @Option(help: "Largest random height.") var maxHeight = 1024
    @Option(help: "Escape-loop iterations (default: random between --min-iterations and --max-iterations).")
    var iterations: Int?
    @Option(help: "Fewest random iterations.") var minIterations = 128
    @Option(help: "Most random iterations.") var maxIterations = 512
    @Option(parsing: .unconditional, help: "Left bound of the plane (default: random between -1 and -4).") var xa: Double?
    @Option(parsing: .unconditional, help: "Right bound of the plane (default: random between 1 and 4).") var xb: Double?
    @Option(parsing: .unconditional, help: "Top bound of the plane (default: random between -0.5 and -3).") var ya: Double?
    @Option(parsing: .unconditional, help: "Bottom bound of the plane (default: random between 0.5 and 3).")
    var yb: Double?
    @Option(parsing: .unconditional, help: "Real part of the Julia constant c (with --cy).") var cx: Double?
    @Option(parsing: .unconditional, help: "Imaginary part of the Julia constant c (with --cx).") var cy: Double?
    @Option(help: "64-bit seed the Julia constant c is drawn from (default: a random one, unless --cx/--cy).")
    var seed: UInt64?
    @Option(help: "Seed of the random choices and uuids, to repeat a run exactly (default: a fresh one).")
    var randomSeed: UInt64?

    func validate() throws {
        _ = try planner()
    }

    /// The planner the flags describe; throws a `ValidationError` naming the flag at fault.
    func planner() throws(ValidationError) -> TaskPlanner {
        var planner = TaskPlanner()
        planner.width = try Self.choice(width, minWidth, maxWidth, "width", RenderLimits.sideRange, unit: " pixels")
        planner.height = try Self.choice(
            height, minHeight, maxHeight, "height", RenderLimits.sideRange, unit: " pixels")
        planner.iterations = try Self.choice(
            iterations, minIterations, maxIterations, "iterations", RenderLimits.iterationRange, unit: "")
        for (name, value) in [("xa", xa), ("xb", xb), ("ya", ya), ("yb", yb), ("cx", cx), ("cy", cy)] {
            if let value, !value.isFinite {
                throw ValidationError("--\(name) must be a finite number, got \(value)")
            }
        }
        if let xa, let xb, xa == xb { throw ValidationError("--xb must differ from --xa (both are \(xa))") }
        if let ya, let yb, ya == yb { throw ValidationError("--yb must differ from --ya (both are \(ya))") }
        switch (cx, cy) {
        case (.some, nil): throw ValidationError("--cy is missing: --cx and --cy go together")
        case (nil, .some): throw ValidationError("--cx is missing: --cx and --cy go together")
        default: break
        }
        if let xa { planner.xa = .fixed(xa) }
        if let xb { planner.xb = .fixed(xb) }
        if let ya { planner.ya = .fixed(ya) }
        if let yb { planner.yb = .fixed(yb) }
        planner.cx = cx
        planner.cy = cy
        planner.seed = seed
        return planner
    }

    /// `--name` when given, else a range from `--min-name` and `--max-name`, each
    /// checked against the render contract's `limits`.
    static func choice(
        _ fixed: Int?, _ low: Int, _ high: Int, _ name: String, _ limits: ClosedRange<Int>, unit: String
    ) throws(ValidationError) -> TaskPlanner.Choice<Int> {
        let bounds = "between \(limits.lowerBound) and \(limits.upperBound)\(unit)"
        if let fixed {
            guard limits.contains(fixed) else { throw ValidationError("--\(name) must be \(bounds), got \(fixed)") }
            return .fixed(fixed)
        }
        for (flag, value) in [("--min-\(name)", low), ("--max-\(name)", high)] where !limits.contains(value) {
            throw ValidationError("\(flag) must be \(bounds), got \(value)")
        }
        guard low <= high else {
            throw ValidationError("--min-\(name) (\(low)) must not be more than --max-\(name) (\(high))")
        }
        return .between(low, high)
    }
}
