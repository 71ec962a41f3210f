import Foundation

/// A line chart drawn as inline SVG: axes with round ticks, one polyline a series (broken
/// where a value is missing) and a legend. No script, no external resource.
struct SVGLineChart {
    struct Series {
        var name: String
        var colour: String
        /// (x, y) points; a nil y breaks the line.
        var points: [(x: Double, y: Double?)]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var width = 720.0
    var height = 300.0
    private let margin = (left: 70.0, right: 20.0, top: 30.0, bottom: 45.0)

    init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    var svg: String {
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.compactMap(\.y) }
        let xTicks = Self.ticks(upTo: xs.max() ?? 1)
        let yTicks = Self.ticks(upTo: ys.max() ?? 1)
        let xMax = xTicks.last ?? 1
        let yMax = yTicks.last ?? 1
        let plotWidth = width - margin.left - margin.right
        let plotHeight = height - margin.top - margin.bottom
        func px(_ x: Double) -> Double { margin.left + plotWidth * x / xMax }
        func py(_ y: Double) -> Double { margin.top + plotHeight * (1 - y / yMax) }

        var parts: [String] = []
        parts.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
                + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">")
        parts.append("<title>\(HTML.escape(title))</title>")
        parts.append(text(title, x: width / 2, y: 16, anchor: "middle", extra: " font-size=\"13\" font-weight=\"bold\""))
        for tick in xTicks {
            parts.append(line(px(tick), margin.top, px(tick), margin.top + plotHeight, colour: "#e4e4e4"))
            parts.append(text(Self.label(tick), x: px(tick), y: margin.top + plotHeight + 14, anchor: "middle"))
        }
        for tick in yTicks {
            parts.append(line(margin.left, py(tick), margin.left + plotWidth, py(tick), colour: "#e4e4e4"))
            parts.append(text(Self.label(tick), x: margin.left - 6, y: py(tick) + 4, anchor: "end"))
        }
        parts.append(line(margin.left, margin.top + plotHeight, margin.left + plotWidth, margin.top + plotHeight, colour: "#333"))
        parts.append(line(margin.left, margin.top, margin.left, margin.top + plotHeight, colour: "#333"))
        parts.append(text(xLabel, x: margin.left + plotWidth / 2, y: height - 8, anchor: "middle"))
        parts.append(
            "<text x=\"14\" y=\"\(fmt(margin.top + plotHeight / 2))\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 14 \(fmt(margin.top + plotHeight / 2)))\">\(HTML.escape(yLabel))</text>")

        for (number, one) in series.enumerated() {
            for run in Self.unbroken(one.points) {
                let coordinates = run.map { "\(fmt(px($0.x))),\(fmt(py($0.y)))" }.joined(separator: " ")
                if run.count == 1 {
                    parts.append(
                        "<circle cx=\"\(fmt(px(run[0].x)))\" cy=\"\(fmt(py(run[0].y)))\" r=\"2.5\" fill=\"\(one.colour)\"/>")
                } else {
                    parts.append(
                        "<polyline fill=\"none\" stroke=\"\(one.colour)\" stroke-width=\"1.8\" points=\"\(coordinates)\"/>")
                }
            }
            let legendX = margin.left + 10 + Double(number) * 170
            parts.append(line(legendX, margin.top + 8, legendX + 18, margin.top + 8, colour: one.colour, width: 3))
            parts.append(text(one.name, x: legendX + 22, y: margin.top + 12, anchor: "start"))
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    private func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, colour: String, width: Double = 1) -> String {
        "<line x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\" stroke=\"\(colour)\" stroke-width=\"\(width)\"/>"
    }

    private func text(_ content: String, x: Double, y: Double, anchor: String, extra: String = "") -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" text-anchor=\"\(anchor)\"\(extra)>\(HTML.escape(content))</text>"
    }

    /// The stretches of points with a value, split where one is missing.
    static func unbroken(_ points: [(x: Double, y: Double?)]) -> [[(x: Double, y: Double)]] {
        var runs: [[(x: Double, y: Double)]] = [[]]
        for point in points {
            if let y = point.y {
                runs[runs.count - 1].append((point.x, y))
            } else if !runs[runs.count - 1].isEmpty {
                runs.append([])
            }
        }
        return runs.filter { !$0.isEmpty }
    }

    /// Round ticks from 0 to at least `top`: 4 to 10 of them, each step 1, 2 or 5 × 10^n.
    static func ticks(upTo top: Double) -> [Double] {
        let top = top > 0 && top.isFinite ? top : 1
        let rough = top / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let count = Int((top / step).rounded(.up))
        return (0...max(1, count)).map { Double($0) * step }
    }

    /// A tick label: no trailing `.0`, at most three decimals.
    static func label(_ value: Double) -> String {
        if value == value.rounded() { return String(Int(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

/// Escaping text for HTML and SVG.
enum HTML {
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
