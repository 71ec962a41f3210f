import FaafoLatency
import Foundation

extension LoadReport {
    /// A page that needs nothing else to be read: the figures as tables and the
    /// timeline as inline SVG charts (throughput, create latency, create-to-stored latency).
    public func html() -> String {
        let middles = timeline.map { ($0.start + $0.end) / 2 }
        func perSecond(_ count: KeyPath<TimelineSlice, Int>) -> [(x: Double, y: Double?)] {
            zip(middles, timeline).map { middle, slice in
                (x: middle, y: Optional(Double(slice[keyPath: count]) / max(slice.end - slice.start, 1e-9)))
            }
        }
        func values(_ value: KeyPath<TimelineSlice, Double?>) -> [(x: Double, y: Double?)] {
            zip(middles, timeline).map { middle, slice in (x: middle, y: slice[keyPath: value]) }
        }
        let charts = [
            SVGLineChart(
                title: "Throughput", xLabel: "seconds from the start", yLabel: "tasks a second",
                series: [
                    .init(name: "created", colour: "#1f77b4", points: perSecond(\.created)),
                    .init(name: "stored", colour: "#2ca02c", points: perSecond(\.completed)),
                ]),
            SVGLineChart(
                title: "Create latency (by the time the create was sent)", xLabel: "seconds from the start",
                yLabel: "milliseconds",
                series: [
                    .init(name: "p50", colour: "#1f77b4", points: values(\.createP50)),
                    .init(name: "max", colour: "#ff7f0e", points: values(\.createMax)),
                ]),
            SVGLineChart(
                title: "Create-to-stored latency (by the time the result was stored)",
                xLabel: "seconds from the start", yLabel: "milliseconds",
                series: [
                    .init(name: "p50", colour: "#2ca02c", points: values(\.storedP50)),
                    .init(name: "max", colour: "#d62728", points: values(\.storedMax)),
                ]),
        ]

        func row(_ cells: [String], header: Bool = false) -> String {
            let tag = header ? "th" : "td"
            return "<tr>" + cells.map { "<\(tag)>\(HTML.escape($0))</\(tag)>" }.joined() + "</tr>"
        }
        func latencyRow(_ name: String, _ summary: LatencySummary) -> String {
            row([name, "\(summary.count)"] + [summary.p50, summary.p90, summary.p99, summary.max].map(formatMilliseconds))
        }
        let settingsText = summaryLines.first ?? ""
        let taskRows = [
            row(["submitted", "\(tasks.submitted)"]), row(["completed", "\(tasks.completed)"]),
            row(["failed", "\(tasks.failed)"]), row(["timed out", "\(tasks.timedOut)"]),
            row(["checksums verified", "\(tasks.verified)"]),
            row(["stored a second", String(format: "%.1f", throughput.completedPerSecond)]),
            row(["created a second", String(format: "%.1f", throughput.createdPerSecond)]),
            row(["run", String(format: "%.2f s", seconds)]), row(["polls", "\(polls)"]),
        ]
        let workerRows = workers.sorted { $0.key < $1.key }.map { row([$0.key, "\($0.value)"]) }
        let problemRows = problems.map { row([$0.problem, "\($0.tasks)"]) }

        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>faafo demo: \(HTML.escape(settings.endpoint))</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
            td, th { border: 1px solid #ccc; padding: 0.25em 0.7em; text-align: left; }
            th { background: #f3f3f3; }
            svg { display: block; margin: 1em 0; border: 1px solid #eee; }
            </style>
            </head>
            <body>
            <h1>faafo demo</h1>
            <p>\(HTML.escape(settingsText))</p>
            <h2>Tasks</h2>
            <table>
            \(taskRows.joined(separator: "\n"))
            </table>
            <h2>Latency</h2>
            <table>
            \(row(["", "tasks", "p50", "p90", "p99", "max"], header: true))
            \(latencyRow("create", latency.create))
            \(latencyRow("create to stored", latency.stored))
            </table>
            <h2>Workers</h2>
            <table>
            \(row(["generated_by", "tasks"], header: true))
            \(workerRows.joined(separator: "\n"))
            </table>
            \(problemRows.isEmpty ? "" : "<h2>Problems</h2>\n<table>\n" + row(["problem", "tasks"], header: true) + "\n" + problemRows.joined(separator: "\n") + "\n</table>")
            <h2>Over time</h2>
            \(charts.map(\.svg).joined(separator: "\n"))
            </body>
            </html>

            """
    }
}
