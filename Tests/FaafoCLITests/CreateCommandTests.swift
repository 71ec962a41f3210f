import ArgumentParser
import FaafoWire
import Foundation
import Testing

@testable import FaafoCLI

@Suite struct CreateCommandTests {
    /// `faafo create …` parsed and validated as the executable would, without running it.
    static func parse(_ arguments: [String]) throws -> CreateCommand {
        let command = try Faafo.parseAsRoot(["create"] + arguments)
        return try #require(command as? CreateCommand)
    }

    static func tasks(_ arguments: [String], count: Int, seed: UInt64 = 1) throws -> [CreateFractal] {
        var generator = SeededGenerator(seed: seed)
        return try parse(arguments).parameters.planner().makeTasks(count, using: &generator)
    }

    @Test func theOriginalsRangesAreHonoured() throws {
        let tasks = try Self.tasks([], count: 2000)
        #expect(tasks.allSatisfy { (256...1024).contains($0.fractal.width) && (256...1024).contains($0.fractal.height) })
        #expect(tasks.allSatisfy { (128...512).contains($0.fractal.iterations) })
        #expect(tasks.allSatisfy { (-4.0 ... -1.0).contains($0.fractal.xa) && (1.0...4.0).contains($0.fractal.xb) })
        #expect(tasks.allSatisfy { (-3.0 ... -0.5).contains($0.fractal.ya) && (0.5...3.0).contains($0.fractal.yb) })
        #expect(tasks.allSatisfy { $0.fractal.seed != nil && $0.fractal.cx == nil && $0.fractal.cy == nil })
        #expect(Set(tasks.compactMap(\.fractal.seed)).count == tasks.count, "a seed of its own for each")
        // The whole range is used, not a corner of it.
        #expect(tasks.map(\.fractal.width).min()! < 270 && tasks.map(\.fractal.width).max()! > 1010)
        #expect(tasks.map(\.fractal.iterations).min()! < 135 && tasks.map(\.fractal.iterations).max()! > 505)
        #expect(tasks.map(\.fractal.xa).min()! < -3.95 && tasks.map(\.fractal.xa).max()! > -1.05)
        #expect(Set(tasks.compactMap(\.uuid)).count == tasks.count)
    }

    @Test func givenRangesAndValuesAreHonoured() throws {
        let tasks = try Self.tasks(
            [
                "--min-width", "300", "--max-width", "310", "--height", "200", "--min-iterations", "7",
                "--max-iterations", "7", "--xa", "-2", "--yb", "1.25", "--cx", "0.3", "--cy", "-0.01", "--seed", "42",
            ], count: 300)
        #expect(Set(tasks.map(\.fractal.width)) == Set(300...310))
        #expect(tasks.allSatisfy { $0.fractal.height == 200 && $0.fractal.iterations == 7 && $0.fractal.xa == -2 && $0.fractal.yb == 1.25 })
        #expect(tasks.allSatisfy { $0.fractal.cx == 0.3 && $0.fractal.cy == -0.01 && $0.fractal.seed == 42 })
        #expect(tasks.allSatisfy { (1.0...4.0).contains($0.fractal.xb) && (-3.0 ... -0.5).contains($0.fractal.ya) })
    }

    @Test func givenCIsSentWithoutASeed() throws {
        let tasks = try Self.tasks(["--cx", "-0.8", "--cy", "0.156"], count: 5)
        #expect(tasks.allSatisfy { $0.fractal.seed == nil && $0.fractal.cx == -0.8 && $0.fractal.cy == 0.156 })
    }

    @Test func aFixedValueBeatsItsRangeAsInTheOriginal() throws {
        let tasks = try Self.tasks(["--width", "100", "--min-width", "300", "--max-width", "310"], count: 10)
        #expect(tasks.allSatisfy { $0.fractal.width == 100 })
    }

    @Test func theSameSeedGivesTheSameTasks() throws {
        let first = try Self.tasks(["--tasks", "5"], count: 5, seed: 99)
        let again = try Self.tasks(["--tasks", "5"], count: 5, seed: 99)
        let other = try Self.tasks(["--tasks", "5"], count: 5, seed: 100)
        #expect(first == again)
        #expect(first != other)
    }

    /// SplitMix64 is platform-independent and the draws are our own arithmetic, so
    /// these values hold on every machine and Swift version.
    @Test func seededChoicesAreStable() throws {
        var generator = SeededGenerator(seed: 42)
        let task = TaskPlanner().makeTask(using: &generator)
        var replay = SeededGenerator(seed: 42)
        let uuidWords = (replay.next(), replay.next())
        #expect(task.uuid == Self.uuidString(uuidWords.0, uuidWords.1))
        let widthDraw = replay.next()
        #expect(task.fractal.width == 256 + Int(widthDraw.multipliedFullWidth(by: 769).high))
        _ = (replay.next(), replay.next())
        let xaDraw = replay.next()
        #expect(task.fractal.xa == -1.0 + (-4.0 - -1.0) * (Double(xaDraw >> 11) * 0x1p-53))
        _ = (replay.next(), replay.next(), replay.next())
        #expect(task.fractal.seed == replay.next())
    }

    static func uuidString(_ high: UInt64, _ low: UInt64) -> String {
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        )).uuidString.lowercased()
    }

    @Test func uuidsAreVersion4() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<100 {
            let uuid = TaskPlanner.uuid(using: &generator)
            #expect(uuid.count == 36 && uuid == uuid.lowercased())
            let parsed = UUID(uuidString: uuid)
            #expect(parsed != nil)
            #expect(Array(uuid)[14] == "4")
            #expect("89ab".contains(Array(uuid)[19]))
        }
    }

    struct BadArguments: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let message: String
        var testDescription: String { arguments.joined(separator: " ") }
        init(_ arguments: [String], _ message: String) {
            self.arguments = arguments
            self.message = message
        }
    }

    static let badArguments: [BadArguments] = [
        BadArguments(["--tasks", "0"], "--tasks must be between 1 and 10, got 0"),
        BadArguments(["--tasks", "11"], "--tasks must be between 1 and 10, got 11"),
        BadArguments(["--width", "1"], "--width must be between 2 and 16384 pixels, got 1"),
        BadArguments(["--min-height", "1"], "--min-height must be between 2 and 16384 pixels, got 1"),
        BadArguments(["--max-width", "20000"], "--max-width must be between 2 and 16384 pixels, got 20000"),
        BadArguments(["--min-width", "600", "--max-width", "500"], "--min-width (600) must not be more than --max-width (500)"),
        BadArguments(["--iterations", "0"], "--iterations must be between 1 and 100000, got 0"),
        BadArguments(["--min-iterations", "513"], "--min-iterations (513) must not be more than --max-iterations (512)"),
        BadArguments(["--xa", "nan"], "--xa must be a finite number, got nan"),
        BadArguments(["--yb", "inf"], "--yb must be a finite number, got inf"),
        BadArguments(["--xa", "2", "--xb", "2"], "--xb must differ from --xa (both are 2.0)"),
        BadArguments(["--ya", "1", "--yb", "1"], "--yb must differ from --ya (both are 1.0)"),
        BadArguments(["--cx", "0.3"], "--cy is missing: --cx and --cy go together"),
        BadArguments(["--cy", "0.3"], "--cx is missing: --cx and --cy go together"),
    ]

    @Test(arguments: badArguments) func validationNamesTheFlag(_ bad: BadArguments) {
        #expect {
            _ = try Self.parse(bad.arguments)
        } throws: { error in
            Faafo.message(for: error) == bad.message && Faafo.exitCode(for: error) == .validationFailure
        }
    }

    @Test func negativeBoundsParse() throws {
        let command = try Self.parse(["--xa", "-2.5", "--ya", "-1e-3", "--cx", "-0.8", "--cy", "0.156"])
        #expect(command.parameters.xa == -2.5 && command.parameters.ya == -0.001 && command.parameters.cx == -0.8)
    }

    @Test func globalOptionsGoBeforeOrAfterTheSubcommand() throws {
        for arguments in [
            ["--endpoint-url", "http://api:1234", "--verbose", "create", "--tasks", "2"],
            ["create", "--tasks", "2", "--endpoint-url", "http://api:1234", "--verbose"],
        ] {
            let command = try #require(try Faafo.parseAsRoot(arguments) as? CreateCommand)
            #expect(command.faafo.globals.endpointURL == "http://api:1234")
            #expect(command.faafo.globals.verbose && !command.faafo.globals.debug)
            #expect(command.tasks == 2)
        }
    }

    /// Bad input is refused before any request: the endpoint here would fail with status 1.
    @Test func theExecutableRefusesBadFlagsWithStatus2() async throws {
        try await Self.expectRefused(["create", "--tasks", "12"], saying: "--tasks must be between 1 and 10, got 12")
    }

    /// `faafo ARGUMENTS` against an endpoint that would fail with status 1 exits 2 with
    /// `message` and prints nothing on stdout.
    static func expectRefused(_ arguments: [String], saying message: String) async throws {
        let result = try await FaafoProcess.run(["--endpoint-url", "http://127.0.0.1:1"] + arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.text.isEmpty)
    }

    @Test func uuidArgumentsAreChecked() async throws {
        for subcommand in ["show", "get", "delete"] {
            let result = try await FaafoProcess.run(["--endpoint-url", "http://127.0.0.1:1", subcommand, "12345"])
            #expect(result.status == 2, "\(subcommand): \(result.stderr)")
            #expect(result.stderr.contains("'12345' is not a uuid"), "\(result.stderr)")
        }
    }
}
