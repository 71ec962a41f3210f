import ArgumentParser
import Foundation

/// `faafo get UUID`: download a fractal's PNG file.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Download a fractal's PNG file.",
        discussion: "The file is written atomically: it is whole or absent, never half-written.")

    @ParentCommand var faafo: Faafo
    @OptionGroup var fractal: UUIDArgument
    @Option(name: [.short, .long], help: ArgumentHelp("Where to write it, - for stdout (default: <uuid>.png).", valueName: "file"))
    var output: String?

    func run() async throws {
        let path = output ?? "\(fractal.uuid).png"
        guard !path.isEmpty else { throw UsageFailure("--output must name a file") }
        try await ClientSession.run(faafo.globals) { session in
            session.logger.info("downloading fractal \(fractal.uuid)")
            let png = try await session.client.image(fractal.uuid)
            if path == "-" {
                FileHandle.standardOutput.write(png)
                return
            }
            do {
                try png.write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CommandFailure("cannot write \(path): \(error.localizedDescription)")
            }
            session.logger.info("saved fractal \(fractal.uuid) to \(path)")
            print("wrote \(path): \(png.count) bytes")
        }
    }
}
