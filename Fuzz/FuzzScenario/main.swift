import FaafoSim
import FuzzSupport

/// A scenario file, as `faafo-sim run` reads it: `Scenario.load(from:)` (UTF-8, YAML
/// through Yams and libyaml, then every block checked).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    do {
        _ = try Scenario.load(from: inputFile(fuzzInput(bytes, size), suffix: ".yaml"))
    } catch {
        _ = error.description
    }
    return 0
}

runFuzzer(fuzz)
