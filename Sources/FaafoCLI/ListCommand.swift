import ArgumentParser
import Foundation

/// `faafo list`: every fractal, over all pages of the API.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List every fractal: uuid, dimensions and file size.")

    @ParentCommand var faafo: Faafo
    @Flag(help: "Print the API's objects as one JSON array instead of the table.") var json = false

    func run() async throws {
        try await ClientSession.run(faafo.globals) { session in
            session.logger.info("listing all fractals")
            let fractals = try await session.client.listAll()
            print(json ? try JSONOutput.string(fractals) : FractalTables.list(fractals).rendered)
        }
    }
}
