import Testing
@testable import FractalCore

@Suite struct ValidationTests {
    static let good = FractalRequest(width: 64, height: 48, iterations: 100, xa: -2, xb: 2, ya: -1.5, yb: 1.5, cx: -0.8, cy: 0.156)

    static func with(_ change: (inout FractalRequest) -> Void) -> FractalRequest {
        var request = good
        change(&request)
        return request
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        let label: String
        let request: FractalRequest
        let field: String
        let code: ParameterError.Code
        var testDescription: String { label }
    }

    static let badRequests: [Bad] = [
        Bad(label: "zero width", request: with { $0.width = 0 }, field: "width", code: .outOfRange),
        Bad(label: "one-pixel width", request: with { $0.width = 1 }, field: "width", code: .outOfRange),
        Bad(label: "negative width", request: with { $0.width = -5 }, field: "width", code: .outOfRange),
        Bad(label: "width over 16384", request: with { $0.width = 16385 }, field: "width", code: .outOfRange),
        Bad(label: "zero height", request: with { $0.height = 0 }, field: "height", code: .outOfRange),
        Bad(label: "one-pixel height", request: with { $0.height = 1 }, field: "height", code: .outOfRange),
        Bad(label: "zero iterations", request: with { $0.iterations = 0 }, field: "iterations", code: .outOfRange),
        Bad(label: "too many iterations", request: with { $0.iterations = 100_001 }, field: "iterations", code: .outOfRange),
        Bad(label: "NaN xa", request: with { $0.xa = .nan }, field: "xa", code: .notFinite),
        Bad(label: "infinite xb", request: with { $0.xb = .infinity }, field: "xb", code: .notFinite),
        Bad(label: "negative infinite ya", request: with { $0.ya = -.infinity }, field: "ya", code: .notFinite),
        Bad(label: "NaN yb", request: with { $0.yb = .nan }, field: "yb", code: .notFinite),
        Bad(label: "equal x bounds", request: with { $0.xb = $0.xa }, field: "xb", code: .emptyRange),
        Bad(label: "equal y bounds", request: with { $0.yb = $0.ya }, field: "yb", code: .emptyRange),
        Bad(label: "NaN cx", request: with { $0.cx = .nan }, field: "cx", code: .notFinite),
        Bad(label: "infinite cy", request: with { $0.cy = .infinity }, field: "cy", code: .notFinite),
        Bad(label: "cx without cy", request: with { $0.cy = nil }, field: "cy", code: .missing),
        Bad(label: "cy without cx", request: with { $0.cx = nil }, field: "cx", code: .missing),
        Bad(label: "neither c nor seed", request: with { $0.cx = nil; $0.cy = nil }, field: "seed", code: .missing),
        Bad(
            label: "over the work budget",
            request: with { $0.width = 16384; $0.height = 16384; $0.iterations = 100_000 },
            field: "iterations", code: .overBudget),
    ]

    @Test(arguments: badRequests)
    func rejectsWithTheFieldNamed(_ bad: Bad) {
        #expect {
            _ = try bad.request.validated()
        } throws: { error in
            guard let error = error as? ParameterError else { return false }
            return error.field == bad.field && error.code == bad.code && error.message.contains(bad.field)
        }
    }

    @Test func acceptsTheContractsBoundaries() throws {
        let smallest = FractalRequest(width: 2, height: 2, iterations: 1, xa: 0, xb: 1, ya: 0, yb: 1, cx: 0, cy: 0)
        #expect(throws: Never.self) { try smallest.validated() }
        let widest = FractalRequest(width: 16384, height: 2, iterations: 100_000, xa: 0, xb: 1, ya: 0, yb: 1, cx: 0, cy: 0)
        #expect(throws: Never.self) { try widest.validated() }
        // The tutorial's load test at 512 iterations is inside the default budget.
        let tutorial = FractalRequest(width: 9999, height: 9999, iterations: 512, xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: 9)
        #expect(throws: Never.self) { try tutorial.validated() }
    }

    @Test func theWorkBudgetIsConfigurable() {
        let request = Self.good  // 64 × 48 × 100 = 307200
        #expect(throws: Never.self) { try request.validated(limits: RenderLimits(workBudget: 307_200)) }
        #expect(throws: ParameterError.self) { try request.validated(limits: RenderLimits(workBudget: 307_199)) }
    }

    @Test func givenCWinsOverASeedAndTheSeedIsKept() throws {
        let p = try Self.with { $0.seed = 42 }.validated()
        #expect(p.cx == -0.8 && p.cy == 0.156 && p.seed == 42)
    }

    @Test func invertedBoundsAreValid() throws {
        let p = try Self.with { $0.xa = 2; $0.xb = -2; $0.ya = 1.5; $0.yb = -1.5 }.validated()
        #expect(p.xa == 2 && p.yb == -1.5)
    }
}
