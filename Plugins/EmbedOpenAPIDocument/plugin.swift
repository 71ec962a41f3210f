import Foundation
import PackagePlugin

/// Builds `OpenAPIDocument.json` from the target's `openapi.json` (with the EmbedText tool),
/// so that the document is a file in the repository and faafo-api still serves it with
/// nothing beside its binary.
@main
struct EmbedOpenAPIDocument: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let input = target.directoryURL.appending(path: "openapi.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument+JSON.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(input.lastPathComponent) in \(target.name)",
                executable: try context.tool(named: "EmbedText").url,
                arguments: [input.path, output.path, "OpenAPIDocument", "json"],
                inputFiles: [input], outputFiles: [output])
        ]
    }
}
