/// A rough check that a page is well-formed HTML5: the doctype first, `<html lang>`,
/// every element that is not void closed, in order, and no id used twice. (No validator
/// ships with Debian; the README says how the pages were checked with one.)
enum HTMLStructure {
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    ]

    /// What is wrong with `html`, one sentence a problem; empty when nothing is.
    static func problems(_ html: String) -> [String] {
        var problems: [String] = []
        if !html.hasPrefix("<!DOCTYPE html>") { problems.append("the page does not start with <!DOCTYPE html>") }
        if !html.contains("<html lang=\"") { problems.append("<html> has no lang attribute") }
        var open: [String] = []
        for match in html.matches(of: /<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>/) {
            let name = match.2.lowercased()
            if match.1.isEmpty {
                if !voidElements.contains(name) { open.append(name) }
            } else if open.last == name {
                open.removeLast()
            } else {
                problems.append("</\(name)> closes <\(open.last ?? "nothing")>")
                return problems
            }
        }
        if !open.isEmpty { problems.append("never closed: \(open.joined(separator: ", "))") }
        var seen: Set<Substring> = []
        for match in html.matches(of: /\sid="([^"]*)"/) where !seen.insert(match.1).inserted {
            problems.append("id \"\(match.1)\" is used twice")
        }
        return problems
    }
}
