import ArgumentParser
import Foundation

/// `faafo show UUID`: one fractal's parameters and result, as the tutorial's table.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a fractal's parameters and result.")

    @ParentCommand var faafo: Faafo
    @OptionGroup var fractal: UUIDArgument
    @Flag(help: "Print the API's whole object as JSON instead of the table.") var json = false

    func run() async throws {
        try await ClientSession.run(faafo.globals) { session in
            session.logger.info("showing fractal \(fractal.uuid)")
            let object = try await session.client.get(fractal.uuid)
            print(json ? try JSONOutput.string(object) : FractalTables.show(object).rendered)
        }
    }
}
