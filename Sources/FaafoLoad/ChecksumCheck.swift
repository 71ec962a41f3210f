import FaafoWire
import FractalCore
import FractalJob

/// Compares a stored fractal's checksums with a render of its own parameters by the
/// render core, as `faafo demo --verify` and `faafo-api --demo` do.
public enum ChecksumCheck {
    /// nil when both checksums match; otherwise what differs, in one line.
    public static func problem(with object: FractalObject, threads: Int = FrameRenderer.defaultThreadCount) -> String? {
        if object.isOutsideRenderContract {
            return "no pixel checksum: \(ResultOrigin.outsideContract) (by \(object.generatedBy ?? "an unnamed worker"))"
        }
        // c as the API settled it; the seed only when c is missing, as for an original worker.
        let hasC = object.fractal.cx != nil && object.fractal.cy != nil
        var request = object.fractal
        if hasC { request.seed = nil }
        let expected: RenderedFractal
        do {
            expected = try RenderJob.run(try request.validated(limits: RenderLimits(workBudget: .max)), threads: threads)
        } catch {
            return "cannot render its parameters: \(error)"
        }
        if object.pixelChecksum != expected.pixelChecksum {
            return "pixel checksum \(object.pixelChecksum ?? "missing"), the render core's is \(expected.pixelChecksum)"
        }
        if object.checksum != expected.checksum {
            return "checksum \(object.checksum ?? "missing"), the render core's is \(expected.checksum)"
        }
        return nil
    }
}

extension LoadRun {
    /// Checks the checksums of the completed tasks the plan's verification covers; a
    /// mismatch turns the task into a failure. Runs after the measured run, so rendering
    /// here takes nothing from the figures. `checked` is called after each task checked.
    public mutating func verifyChecksums(
        threads: Int = FrameRenderer.defaultThreadCount, checked: (Int, Int) -> Void = { _, _ in }
    ) {
        let chosen = records.indices.filter { index in
            guard records[index].status == .completed, let object = records[index].object else { return false }
            let f = object.fractal
            return plan.verifies(width: f.width, height: f.height, iterations: f.iterations)
        }
        for (done, index) in chosen.enumerated() {
            guard let object = records[index].object else { continue }
            if let problem = ChecksumCheck.problem(with: object, threads: threads) {
                records[index].status = .failed
                records[index].problem = problem
                records[index].verified = false
            } else {
                records[index].verified = true
            }
            checked(done + 1, chosen.count)
        }
    }
}
