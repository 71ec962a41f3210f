import FaafoConfig
import FuzzSupport

/// A faafo.conf, as the services read it: `FaafoConfiguration.load` with `--config-file`
/// (UTF-8, the INI form, then every value of `[DEFAULT]` parsed and checked). What loads
/// must print (`--debug`'s summary) and must name a database that parses.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let configuration: FaafoConfiguration
    do {
        configuration = try FaafoConfiguration.load(
            environment: [:], configFilePath: inputFile(fuzzInput(bytes, size), suffix: ".conf"),
            defaultConfigFilePath: nil)
    } catch {
        _ = error.description
        return 0
    }
    _ = configuration.summaryLines
    precondition((try? configuration.database) != nil, "a loaded configuration's database_url does not parse")
    return 0
}

runFuzzer(fuzz)
