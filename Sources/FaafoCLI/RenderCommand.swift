import ArgumentParser
import Foundation
import FractalCore
import FractalJob

/// `faafo render`: one fractal to a PNG file, offline.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one fractal to a PNG file, with no service involved.",
        discussion: """
            Give c with --cx and --cy, or a --seed to draw it from. Exit status 2 means \
            a parameter is outside the render contract; the message names it.
            """
    )

    @Option(help: "Image width in pixels (2 to 16384).") var width: Int
    @Option(help: "Image height in pixels (2 to 16384).") var height: Int
    @Option(help: "Escape-loop iterations (1 to 100000).") var iterations: Int
    @Option(parsing: .unconditional, help: "Left bound of the plane.") var xa: Double
    @Option(parsing: .unconditional, help: "Right bound of the plane.") var xb: Double
    @Option(parsing: .unconditional, help: "Top bound of the plane.") var ya: Double
    @Option(parsing: .unconditional, help: "Bottom bound of the plane.") var yb: Double
    @Option(parsing: .unconditional, help: "Real part of the Julia constant c.") var cx: Double?
    @Option(parsing: .unconditional, help: "Imaginary part of the Julia constant c.") var cy: Double?
    @Option(help: "64-bit seed to draw c from, when --cx/--cy are not given.") var seed: UInt64?
    @Option(help: "Render threads (default: one per core).") var threads: Int = FrameRenderer.defaultThreadCount
    @Option(help: "Where to write the PNG file.") var output: String
    @Option(help: "The work budget: the largest width × height × iterations accepted.")
    var workBudget: Int = RenderLimits.defaultWorkBudget
    @Flag(help: "Print one JSON object instead of a summary.") var json = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard !output.isEmpty else { throw ValidationError("--output must name a file") }
    }

    func run() throws {
        let request = FractalRequest(
            width: width, height: height, iterations: iterations,
            xa: xa, xb: xb, ya: ya, yb: yb, cx: cx, cy: cy, seed: seed)
        let parameters = try request.validated(limits: RenderLimits(workBudget: workBudget))
        let rendered = try RenderJob.run(parameters, threads: threads)
        let url = URL(fileURLWithPath: output)
        do {
            try rendered.png.write(to: url, options: .atomic)
        } catch {
            throw CommandFailure("cannot write \(output): \(error.localizedDescription)")
        }
        if json {
            print(try RenderReport(rendered, threads: threads, output: output).jsonLine())
        } else {
            print(RenderReport(rendered, threads: threads, output: output).summary)
        }
    }
}
