import FaafoWire
import Foundation
import FractalCore
import Hummingbird

/// The form that creates fractals: how many, their size and iterations. It shows what
/// was typed and, beside each field the server refused, why.
struct CreateForm: Sendable {
    /// One input of the form.
    struct Field: Sendable {
        let name: String
        let label: String
        let hint: String
        let minimum: Int
        let maximum: Int
        var value: String
        var error: String?
    }

    /// At most as many as `faafo create --tasks` takes.
    static let countRange = 1...10

    var fields: [Field]
    /// A problem that belongs to no field (the catalog refused or failed).
    var failure: String?

    /// The empty form, with values that make a quick, pleasant fractal.
    init() {
        let side = RenderLimits.sideRange
        let iterations = RenderLimits.iterationRange
        fields = [
            Field(
                name: "count", label: "Count", hint: "\(Self.countRange.lowerBound) to \(Self.countRange.upperBound)",
                minimum: Self.countRange.lowerBound, maximum: Self.countRange.upperBound, value: "1"),
            Field(
                name: "width", label: "Width", hint: "pixels, \(side.lowerBound) to \(side.upperBound)",
                minimum: side.lowerBound, maximum: side.upperBound, value: "640"),
            Field(
                name: "height", label: "Height", hint: "pixels, \(side.lowerBound) to \(side.upperBound)",
                minimum: side.lowerBound, maximum: side.upperBound, value: "480"),
            Field(
                name: "iterations", label: "Iterations",
                hint: "\(iterations.lowerBound) to \(iterations.upperBound)",
                minimum: iterations.lowerBound, maximum: iterations.upperBound, value: "256"),
        ]
    }

    /// The form as submitted (`application/x-www-form-urlencoded`); a missing field is empty.
    init(urlEncoded body: String) throws {
        struct Submitted: Decodable {
            var count: String?
            var width: String?
            var height: String?
            var iterations: String?
        }
        let submitted = try URLEncodedFormDecoder().decode(Submitted.self, from: body)
        self.init()
        let values = [submitted.count, submitted.width, submitted.height, submitted.iterations]
        for index in fields.indices { fields[index].value = values[index] ?? "" }
    }

    var hasErrors: Bool { failure != nil || fields.contains { $0.error != nil } }

    /// The requests this form asks for, each with a plane and seed drawn from `seed()`
    /// (one call a fractal), or nil after setting an error beside every field that is wrong:
    /// not a whole number, outside its range, or refused by the render contract.
    mutating func requests(limits: RenderLimits, seed: () -> UInt64) -> [CreateFractal]? {
        var numbers: [String: Int] = [:]
        for index in fields.indices {
            let field = fields[index]
            let text = field.value.trimmingCharacters(in: .whitespaces)
            guard let number = Int(text) else {
                fields[index].error = text.isEmpty
                    ? "\(field.name) is missing" : "\(field.name) must be a whole number, got '\(text.prefix(32))'"
                continue
            }
            guard (field.minimum...field.maximum).contains(number) else {
                fields[index].error = "\(field.name) must be between \(field.minimum) and \(field.maximum), got \(number)"
                continue
            }
            numbers[field.name] = number
        }
        guard !hasErrors, let count = numbers["count"], let width = numbers["width"],
            let height = numbers["height"], let iterations = numbers["iterations"]
        else { return nil }

        let requests = (0..<count).map { _ in
            Self.randomTask(width: width, height: height, iterations: iterations, seed: seed())
        }
        // The contract's other rule (the work budget) names the field it blames.
        for request in requests {
            do {
                _ = try request.fractal.validated(limits: limits)
            } catch {
                setError(error.message, field: error.field)
                return nil
            }
        }
        return requests
    }

    /// Puts `message` beside the field it names, or above the form for any other field.
    mutating func setError(_ message: String, field name: String) {
        if let index = fields.firstIndex(where: { $0.name == name }) {
            fields[index].error = message
        } else {
            failure = message
        }
    }

    /// A task with the original client's random plane (xa from -1 to -4, xb 1 to 4, ya
    /// -0.5 to -3, yb 0.5 to 3) and a seed for c, all drawn from `seed`.
    static func randomTask(width: Int, height: Int, iterations: Int, seed: UInt64) -> CreateFractal {
        var generator = SplitMix64(seed: seed)
        func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * generator.unit() }
        return CreateFractal(
            fractal: FractalRequest(
                width: width, height: height, iterations: iterations, xa: uniform(-1, -4), xb: uniform(1, 4),
                ya: uniform(-0.5, -3), yb: uniform(0.5, 3), seed: generator.next()))
    }
}
