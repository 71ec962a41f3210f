import ArgumentParser
import FaafoWire
import Foundation
import FractalCore

/// `faafo create`: ask the API for new fractals, with the original client's flags.
struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create fractals: each is stored by the API and rendered by a worker.",
        discussion: """
            Each parameter is the value given, or drawn at random in its range as the \
            original faafo client drew it. Prints the uuid of each fractal created. \
            Exit status 2 means a parameter is outside its range; 1 that the API refused.
            """
    )

    /// The original's limit on `--tasks`.
    static let taskRange = 1...10

    @ParentCommand var faafo: Faafo

    @OptionGroup(title: "Fractal Parameters") var parameters: TaskParameterOptions
    @Option(help: "How many fractals to create (1 to 10).") var tasks = 1

    func validate() throws {
        guard Self.taskRange.contains(tasks) else {
            throw ValidationError(
                "--tasks must be between \(Self.taskRange.lowerBound) and \(Self.taskRange.upperBound), got \(tasks)")
        }
    }

    func run() async throws {
        let planner = try parameters.planner()
        let randomSeed = parameters.randomSeed ?? UInt64.random(in: .min ... .max)
        var generator = SeededGenerator(seed: randomSeed)
        let requests = planner.makeTasks(tasks, using: &generator)
        // The render contract's checks, so nothing is sent unless every task would pass.
        // The work budget is the API's to enforce: its setting may differ from the default.
        for request in requests {
            _ = try request.fractal.validated(limits: RenderLimits(workBudget: .max))
        }

        try await ClientSession.run(faafo.globals) { session in
            session.logger.debug("random seed \(randomSeed) (repeat with --random-seed \(randomSeed))")
            session.logger.info("generating \(requests.count) task(s)")
            for request in requests {
                let json = (try? JSONOutput.string(request)) ?? "\(request)"
                session.logger.debug("created task \(json)")
                let created = try await session.client.create(request)
                print(created.uuid)
            }
        }
    }
}
