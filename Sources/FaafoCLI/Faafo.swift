import ArgumentParser
import Foundation
import FractalCore

/// The `faafo` command: the Fractals application's client, and offline tools.
struct Faafo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faafo",
        abstract: "The Fractals application (faafo): render Julia-set fractals and manage golden checksums.",
        subcommands: [
            CreateCommand.self, ShowCommand.self, ListCommand.self, GetCommand.self, DeleteCommand.self, DemoCommand.self,
            RenderCommand.self, FixturesCommand.self, VerifyCommand.self,
        ]
    )

    /// `--endpoint-url`, `--verbose`, `--debug`, `--config-file`: the client subcommands read them.
    @OptionGroup(title: "Global Options") var globals: GlobalOptions
}

/// Exit statuses shared by the subcommands.
enum ExitStatus {
    /// Bad input: a parameter outside the contract, an unknown option, a non-number.
    static let usage: Int32 = 2
}

/// A command that could not do its work (a file it cannot write, a server that refused):
/// reported as one line, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@main
enum FaafoMain {
    static func main() async {
        do {
            var command = try Faafo.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ParameterError {
            FileHandle.standardError.write(Data("faafo: error: \(error.message)\n".utf8))
            exit(ExitStatus.usage)
        } catch let failure as UsageFailure {
            FileHandle.standardError.write(Data("faafo: error: \(failure)\n".utf8))
            exit(ExitStatus.usage)
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("faafo: error: \(failure)\n".utf8))
            exit(EXIT_FAILURE)
        } catch {
            // Argument Parser's own errors: a bad or missing option is a usage error (2),
            // help and version requests exit 0, anything else keeps its own status.
            if Faafo.exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((Faafo.fullMessage(for: error) + "\n").utf8))
                exit(ExitStatus.usage)
            }
            Faafo.exit(withError: error)
        }
    }
}
