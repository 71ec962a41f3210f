import ArgumentParser
import Foundation

/// `faafo delete UUID`: remove a fractal and its image.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a fractal and its image.")

    @ParentCommand var faafo: Faafo
    @OptionGroup var fractal: UUIDArgument

    func run() async throws {
        try await ClientSession.run(faafo.globals) { session in
            session.logger.info("deleting fractal \(fractal.uuid)")
            try await session.client.delete(fractal.uuid)
            print("deleted \(fractal.uuid)")
        }
    }
}
