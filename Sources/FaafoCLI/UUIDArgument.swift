import ArgumentParser
import FaafoWire

/// The uuid argument of `show`, `get` and `delete`, checked before any request: a typo
/// is a usage error (exit 2), and `get` can name its file after it safely.
struct UUIDArgument: ParsableArguments {
    @Argument(help: "The fractal's uuid.") var uuid: String

    func validate() throws {
        guard FractalUUID.canonical(uuid) != nil else {
            throw ValidationError("'\(uuid)' is not a uuid (like 154c7b41-108e-4696-a059-1bde9bf03d0a)")
        }
    }
}
