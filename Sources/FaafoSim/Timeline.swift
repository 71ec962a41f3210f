import Foundation

/// A run's trace drawn as one HTML page (`faafo-sim run --timeline FILE.html`), the way
/// Jepsen and Maelstrom draw histories: a lane per actor (the client, each controller, the
/// broker and its nodes, the database, each worker, the operator, the faults), time across,
/// a mark per event (its line as a tooltip), the periods an actor was down shaded, and each
/// failing task's path through the lanes drawn over them in red, with its story below.
/// The page needs nothing but a browser: no script from elsewhere, no network.
public enum Timeline {
    /// Events drawn at most (the failing tasks' always are), to keep the page light.
    static let maximumEvents = 20_000
    static let width = 1400.0
    static let laneHeight = 22.0
    static let left = 130.0

    public static func html(title: String, events: [TraceEvent], stories: [TaskStory], summary: String) -> String {
        let failing = Set(stories.map(\.task))
        let shown = events.count <= maximumEvents
            ? events : events.filter { failing.contains($0.task ?? "") } + events.prefix(maximumEvents)
        let lanes = Self.lanes(of: events)
        let lastTick = max(1, events.map(\.tick).max() ?? 1)
        let height = Double(lanes.count) * laneHeight + 40
        func x(_ tick: Tick) -> Double { left + (width - left - 20) * Double(tick) / Double(lastTick) }
        func y(_ actor: String) -> Double { 30 + Double(lanes.firstIndex(of: actor) ?? 0) * laneHeight + laneHeight / 2 }

        var svg: [String] = []
        for (index, lane) in lanes.enumerated() {
            let top = 30 + Double(index) * laneHeight
            svg.append(
                "<rect class=\"lane\" x=\"0\" y=\"\(top)\" width=\"\(width)\" height=\"\(laneHeight)\" fill=\"\(index % 2 == 0 ? "#f7f7f7" : "#ffffff")\"/>"
            )
            svg.append("<text x=\"6\" y=\"\(top + 15)\" class=\"label\">\(escape(lane))</text>")
        }
        for period in downPeriods(in: events, lastTick: lastTick) {
            let top = 30 + Double(lanes.firstIndex(of: period.actor) ?? 0) * laneHeight
            svg.append(
                "<rect class=\"down\" x=\"\(x(period.from))\" y=\"\(top)\" width=\"\(max(2, x(period.to) - x(period.from)))\" height=\"\(laneHeight)\"><title>\(escape(period.actor)) \(escape(period.what)) \(Simulation.seconds(period.from))–\(Simulation.seconds(period.to))</title></rect>"
            )
        }
        // Each second of simulated time, a rule and its label.
        let step = Self.rule(lastTick)
        for tick in stride(from: Tick(0), through: lastTick, by: Int(step)) {
            svg.append("<line class=\"rule\" x1=\"\(x(tick))\" y1=\"24\" x2=\"\(x(tick))\" y2=\"\(height - 10)\"/>")
            svg.append("<text class=\"tick\" x=\"\(x(tick) + 2)\" y=\"18\">\(Simulation.seconds(tick))</text>")
        }
        for event in shown {
            let colour = event.actor == "fault" || event.event == "crash" ? "#d08000" : "#5577aa"
            svg.append(
                "<circle cx=\"\(x(event.tick))\" cy=\"\(y(event.actor))\" r=\"2.5\" fill=\"\(colour)\"><title>\(escape(event.line))\(event.task.map { " [\(escape($0))]" } ?? "")</title></circle>"
            )
        }
        for story in stories {
            let points = story.events.map { "\(x($0.tick)),\(y($0.actor))" }.joined(separator: " ")
            svg.append(
                "<polyline class=\"failing-path\" id=\"failing-\(escape(story.task))\" points=\"\(points)\"><title>\(escape(story.task)): \(escape(story.failure))</title></polyline>"
            )
            for event in story.events where event.task == story.task {
                svg.append(
                    "<circle class=\"failing-event\" cx=\"\(x(event.tick))\" cy=\"\(y(event.actor))\" r=\"4\"><title>\(escape(event.line))</title></circle>"
                )
            }
        }
        let storiesHTML = stories.map { story in
            "<h3>\(escape(story.task))\(story.index.map { " (task \($0))" } ?? ""): \(escape(story.failure))</h3><pre>"
                + story.events.map { escape($0.line) }.joined(separator: "\n") + "</pre>"
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(escape(title))</title>
            <style>
            body { font-family: sans-serif; margin: 16px; color: #222; }
            pre { background: #f4f4f4; padding: 8px; overflow-x: auto; font-size: 12px; }
            svg text.label { font-size: 11px; fill: #333; }
            svg text.tick { font-size: 10px; fill: #777; }
            svg line.rule { stroke: #ddd; stroke-width: 1; }
            svg rect.down { fill: #f0b0b0; opacity: 0.6; }
            svg polyline.failing-path { fill: none; stroke: #d00000; stroke-width: 2; }
            svg circle.failing-event { fill: #d00000; }
            .legend span { display: inline-block; margin-right: 16px; }
            </style>
            </head>
            <body data-events="\(events.count)" data-failing="\(stories.count)">
            <h1>\(escape(title))</h1>
            <p class="legend"><span>● event (hover for its line)</span><span style="color:#d08000">● fault or crash</span><span style="background:#f0b0b0">&nbsp;down&nbsp;</span><span style="color:#d00000">— a failing task's path</span></p>
            <svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)">
            \(svg.joined(separator: "\n"))
            </svg>
            <pre>\(escape(summary))</pre>
            \(stories.isEmpty ? "<p>No task failed.</p>" : "<h2>Failing tasks</h2>\n" + storiesHTML)
            <script>
            // Marks the page as drawn, with how much of each failing path the browser laid out.
            window.addEventListener("load", function () {
              var paths = document.querySelectorAll("polyline.failing-path");
              var visible = 0;
              paths.forEach(function (p) { var box = p.getBBox(); if (box.width > 0 || box.height > 0) visible++; });
              document.body.setAttribute("data-drawn", String(document.querySelectorAll("svg circle").length));
              document.body.setAttribute("data-failing-visible", String(visible));
            });
            </script>
            </body>
            </html>
            """
    }

    /// The lanes, in a fixed order: the client, controllers, the broker and its nodes, the
    /// database, workers, the operator, the faults; actors of a kind by number.
    static func lanes(of events: [TraceEvent]) -> [String] {
        let actors = Set(events.map(\.actor))
        func rank(_ actor: String) -> (Int, Int, String) {
            let number = Int(actor.split(separator: "-").last ?? "") ?? 0
            if actor == "client" { return (0, 0, actor) }
            if actor.hasPrefix("controller-") || actor.hasPrefix("faafo-api") { return (1, number, actor) }
            if actor == "broker" { return (2, 0, actor) }
            if actor.hasPrefix("broker-node-") { return (3, number, actor) }
            if actor == "database" { return (4, 0, actor) }
            if actor.hasPrefix("sim-worker-") || actor.hasPrefix("worker-") { return (5, number, actor) }
            if actor == "operator" { return (6, 0, actor) }
            if actor == "fault" { return (8, 0, actor) }
            return (7, number, actor)
        }
        return actors.sorted { rank($0) < rank($1) }
    }

    /// A stretch of time an actor was down: a worker from its crash or stop to its restart,
    /// a controller from its crash to its next life, the broker, the database or a broker
    /// node from its restart or kill to its return.
    struct Down {
        let actor: String
        let from: Tick
        let to: Tick
        let what: String
    }

    static func downPeriods(in events: [TraceEvent], lastTick: Tick) -> [Down] {
        var open: [String: (Tick, String)] = [:]
        var periods: [Down] = []
        func start(_ actor: String, _ tick: Tick, _ what: String) {
            if open[actor] == nil { open[actor] = (tick, what) }
        }
        func end(_ actor: String, _ tick: Tick) {
            if let (from, what) = open.removeValue(forKey: actor) {
                periods.append(Down(actor: actor, from: from, to: tick, what: what))
            }
        }
        for event in events {
            switch (event.actor, event.event) {
            case (_, "crash") where event.actor.hasPrefix("sim-worker-"), (_, "stop"): start(event.actor, event.tick, event.event)
            case (_, "down") where event.actor.hasPrefix("controller-"): start(event.actor, event.tick, "down")
            case (_, "restart"), (_, "start"), (_, "back"): end(event.actor, event.tick)
            case ("fault", "broker-restart"): start("broker", event.tick, "restarting")
            case ("fault", "database-restart"): start("database", event.tick, "restarting")
            case ("fault", "node-kill"):
                if let node = event.details.split(separator: " ").dropFirst(2).first.flatMap({ Int($0.trimmingCharacters(in: .punctuationCharacters)) }) {
                    start("broker-node-\(node)", event.tick, "killed")
                }
            default: break
            }
        }
        for (actor, (from, what)) in open.sorted(by: { $0.key < $1.key }) {
            periods.append(Down(actor: actor, from: from, to: lastTick, what: what))
        }
        return periods
    }

    /// A round interval between time rules: about ten across the page.
    static func rule(_ lastTick: Tick) -> Tick {
        let rough = Double(lastTick) / 10
        let power = pow(10, floor(log10(max(rough, 1))))
        for multiple in [1.0, 2.0, 5.0, 10.0] where power * multiple >= rough { return max(1, Tick(power * multiple)) }
        return max(1, Tick(power * 10))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
