/// A fractal as a client asks for it: c given, or to be drawn from a seed.
public struct FractalRequest: Hashable, Sendable {
    public var width: Int
    public var height: Int
    public var iterations: Int
    public var xa: Double
    public var xb: Double
    public var ya: Double
    public var yb: Double
    public var cx: Double?
    public var cy: Double?
    public var seed: UInt64?

    public init(
        width: Int, height: Int, iterations: Int,
        xa: Double, xb: Double, ya: Double, yb: Double,
        cx: Double? = nil, cy: Double? = nil, seed: UInt64? = nil
    ) {
        self.width = width
        self.height = height
        self.iterations = iterations
        self.xa = xa
        self.xb = xb
        self.ya = ya
        self.yb = yb
        self.cx = cx
        self.cy = cy
        self.seed = seed
    }

    /// Checks every value against the render contract and settles c: the given `cx`/`cy`,
    /// else the one drawn from `seed`. Throws the first problem found, naming its field.
    public func validated(limits: RenderLimits = .default) throws(ParameterError) -> FractalParameters {
        try Self.checkSide(width, field: "width")
        try Self.checkSide(height, field: "height")
        guard RenderLimits.iterationRange.contains(iterations) else {
            throw ParameterError(
                field: "iterations", code: .outOfRange,
                message: "iterations must be between \(RenderLimits.iterationRange.lowerBound) and "
                    + "\(RenderLimits.iterationRange.upperBound), got \(iterations)")
        }
        for (field, value) in [("xa", xa), ("xb", xb), ("ya", ya), ("yb", yb)] {
            try Self.checkFinite(value, field: field)
        }
        guard xa != xb else {
            throw ParameterError(
                field: "xb", code: .emptyRange, message: "xb must differ from xa (both are \(xa))")
        }
        guard ya != yb else {
            throw ParameterError(
                field: "yb", code: .emptyRange, message: "yb must differ from ya (both are \(ya))")
        }
        // Sides are at most 2^14 and iterations at most 2^17, so the product cannot overflow.
        let work = width * height * iterations
        guard work <= limits.workBudget else {
            throw ParameterError(
                field: "iterations", code: .overBudget,
                message: "width × height × iterations is \(work), over the work budget of \(limits.workBudget)")
        }

        let c: (cx: Double, cy: Double)
        switch (cx, cy, seed) {
        case (let x?, let y?, _):
            try Self.checkFinite(x, field: "cx")
            try Self.checkFinite(y, field: "cy")
            c = (x, y)
        case (.some, nil, _):
            throw ParameterError(field: "cy", code: .missing, message: "cy is missing: cx and cy go together")
        case (nil, .some, _):
            throw ParameterError(field: "cx", code: .missing, message: "cx is missing: cx and cy go together")
        case (nil, nil, let s?):
            c = JuliaConstant.fromSeed(s, xa: xa, xb: xb, ya: ya, yb: yb, iterations: iterations)
        case (nil, nil, nil):
            throw ParameterError(
                field: "seed", code: .missing, message: "seed is missing: give cx and cy, or a seed to draw c from")
        }
        return FractalParameters(
            width: width, height: height, iterations: iterations,
            xa: xa, xb: xb, ya: ya, yb: yb, cx: c.cx, cy: c.cy, seed: seed)
    }

    private static func checkSide(_ value: Int, field: String) throws(ParameterError) {
        guard RenderLimits.sideRange.contains(value) else {
            throw ParameterError(
                field: field, code: .outOfRange,
                message: "\(field) must be between \(RenderLimits.sideRange.lowerBound) and "
                    + "\(RenderLimits.sideRange.upperBound) pixels, got \(value)")
        }
    }

    private static func checkFinite(_ value: Double, field: String) throws(ParameterError) {
        guard value.isFinite else {
            throw ParameterError(field: field, code: .notFinite, message: "\(field) must be a finite number, got \(value)")
        }
    }
}
