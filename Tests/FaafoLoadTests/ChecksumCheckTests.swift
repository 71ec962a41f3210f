import FaafoWire
import FractalCore
import Testing

@testable import FaafoLoad

/// `faafo demo --verify` on a result the render contract did not make.
@Suite struct ChecksumCheckTests {
    @Test func aResultWithNoPixelChecksumIsNamedAsOutsideTheContract() {
        let object = FractalObject(
            uuid: "00000000-0000-4000-8000-000000000001",
            fractal: FractalRequest(width: 8, height: 8, iterations: 10, xa: -2, xb: 2, ya: -1, yb: 1, seed: 1),
            duration: 0.1, size: 100, checksum: String(repeating: "a", count: 64), generatedBy: "original-host",
            status: .completed, createdAt: "2026-12-01T00:00:00Z", attempts: 1)
        let problem = ChecksumCheck.problem(with: object, threads: 1)
        #expect(problem?.contains("not made by the render contract") == true, "\(problem ?? "nil")")
        #expect(problem?.contains("original-host") == true)
    }
}
