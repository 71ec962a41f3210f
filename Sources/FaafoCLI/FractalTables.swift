import FaafoWire
import Foundation

/// The tables `faafo show` and `faafo list` print, in the original CLI's layout.
enum FractalTables {
    /// `faafo show`: the parameters and result of one fractal, left-aligned, as in the
    /// tutorial. Values a pending fractal does not have yet show as `-`.
    static func show(_ fractal: FractalObject) -> TextTable {
        var table = TextTable(headers: ["Parameter", "Value"], alignments: [.left, .left])
        table.addRow(["uuid", fractal.uuid])
        table.addRow(["duration", fractal.duration.map { String(format: "%f", $0) + " seconds" } ?? "-"])
        table.addRow(["dimensions", dimensions(fractal)])
        table.addRow(["iterations", String(fractal.fractal.iterations)])
        table.addRow(["xa", pythonString(fractal.fractal.xa)])
        table.addRow(["xb", pythonString(fractal.fractal.xb)])
        table.addRow(["ya", pythonString(fractal.fractal.ya)])
        table.addRow(["yb", pythonString(fractal.fractal.yb)])
        table.addRow(["size", fractal.size.map { "\($0) bytes" } ?? "-"])
        table.addRow(["checksum", fractal.checksum ?? "-"])
        table.addRow(["generated_by", fractal.generatedBy ?? "-"])
        if let failure = fractal.failure { table.addRow(["failure", failure]) }
        return table
    }

    /// `faafo list`: uuid, dimensions and file size of each fractal, centred as
    /// PrettyTable centres by default. A pending fractal's size shows as `-`.
    static func list(_ fractals: [FractalObject]) -> TextTable {
        var table = TextTable(headers: ["UUID", "Dimensions", "Filesize"])
        for fractal in fractals {
            table.addRow([fractal.uuid, dimensions(fractal), fractal.size.map { "\($0) bytes" } ?? "-"])
        }
        return table
    }

    static func dimensions(_ fractal: FractalObject) -> String {
        "\(fractal.fractal.width) x \(fractal.fractal.height) pixels"
    }

    /// A double as Python's `str` writes it: the shortest text that reads back exactly,
    /// `-2.0` for a whole number, exponents as `1e-05` and `1e+16`.
    static func pythonString(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : value < 0 ? "-inf" : "inf" }
        let swift = "\(value)"  // Swift's shortest round-trip form: "1e-05", "1e+16", "0.5"
        guard let e = swift.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return swift }
        // Python writes 1e-05 and 1e+16 without ".0"; Swift writes "1e-05" too.
        var mantissa = String(swift[..<e])
        if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
        return mantissa + swift[e...]
    }
}
