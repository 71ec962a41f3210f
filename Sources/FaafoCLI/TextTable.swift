/// A table drawn as Python's PrettyTable draws it, which the original faafo CLI used:
///
///     +------------+--------------------------------------+
///     | Parameter  | Value                                |
///     +------------+--------------------------------------+
///     | uuid       | 154c7b41-108e-4696-a059-1bde9bf03d0a |
///     +------------+--------------------------------------+
///
/// Each column is as wide as its longest cell or header, plus one space either side.
struct TextTable: Hashable, Sendable {
    enum Alignment: Hashable, Sendable {
        case left, center, right
    }

    var headers: [String]
    /// One per column; PrettyTable's default is `.center`.
    var alignments: [Alignment]
    var rows: [[String]] = []

    init(headers: [String], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.alignments = alignments ?? Array(repeating: .center, count: headers.count)
        precondition(self.alignments.count == headers.count, "one alignment a column")
    }

    mutating func addRow(_ cells: [String]) {
        precondition(cells.count == headers.count, "a row has \(headers.count) cells, got \(cells.count)")
        rows.append(cells)
    }

    /// The whole table, lines joined by newlines, without a final newline.
    var rendered: String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        func line(_ cells: [String]) -> String {
            "|" + cells.indices.map { " " + Self.justify(cells[$0], widths[$0], alignments[$0]) + " " }
                .joined(separator: "|") + "|"
        }
        return ([rule, line(headers), rule] + rows.map(line) + [rule]).joined(separator: "\n")
    }

    /// PrettyTable's `_justify`: when centring leaves an odd number of spaces, the extra
    /// one goes right of an odd-length text and left of an even-length one.
    static func justify(_ text: String, _ width: Int, _ alignment: Alignment) -> String {
        let excess = max(0, width - text.count)
        switch alignment {
        case .left: return text + String(repeating: " ", count: excess)
        case .right: return String(repeating: " ", count: excess) + text
        case .center:
            var left = excess / 2
            var right = excess / 2
            if excess % 2 == 1 {
                if text.count % 2 == 1 { right += 1 } else { left += 1 }
            }
            return String(repeating: " ", count: left) + text + String(repeating: " ", count: right)
        }
    }
}
