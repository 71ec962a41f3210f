import FaafoSim
import Foundation

/// The scenarios shipped in Scenarios/, found from this file's place in the package.
enum ScenarioFiles {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var all: [String] {
        let folder = packageRoot.appending(path: "Scenarios")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func path(_ name: String) -> String {
        packageRoot.appending(path: "Scenarios").appending(path: name).path
    }

    static func load(_ name: String) throws -> Scenario {
        try Scenario.load(from: path(name))
    }
}
