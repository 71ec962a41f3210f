import ArgumentParser
import FaafoConfig
import Foundation
import Logging

/// `faafo`'s global options, given before or after the subcommand:
/// `faafo --endpoint-url URL --verbose list`.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("endpoint-url"),
        help: ArgumentHelp(
            "The API's URL (default: FAAFO_ENDPOINT_URL, then endpoint_url in the config file, then http://localhost:8080).",
            valueName: "url"))
    var endpointURL: String?

    @Option(
        help: ArgumentHelp(
            "The token the API asks of delete, and of create when it asks one (FAAFO_OPERATOR_TOKEN keeps it out of ps).",
            valueName: "token"))
    var operatorToken: String?

    @Option(
        help: ArgumentHelp(
            "The token the API asks of create (default: FAAFO_CREATE_TOKEN, then create_token in the config file).",
            valueName: "token"))
    var createToken: String?

    @Flag(help: "Log what happens at INFO level on stderr.") var verbose = false
    @Flag(help: "Log at DEBUG level on stderr, HTTP requests included.") var debug = false

    @Option(
        help: ArgumentHelp(
            "The config file (default: FAAFO_CONFIG_FILE, or /etc/faafo/faafo.conf when it exists).",
            valueName: "path"))
    var configFile: String?

    /// The flags over the environment over the config file, as `FaafoConfiguration.load` layers them.
    func configuration(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        defaultConfigFilePath: String? = FaafoConfiguration.defaultConfigFilePath
    ) throws(ConfigurationError) -> FaafoConfiguration {
        var overrides: [String: String] = [:]
        if let endpointURL { overrides[.endpointURL] = endpointURL }
        if let operatorToken { overrides[.operatorToken] = operatorToken }
        if let createToken { overrides[.createToken] = createToken }
        if verbose { overrides[.verbose] = "true" }
        if debug { overrides[.debug] = "true" }
        return try FaafoConfiguration.load(
            cliOverrides: overrides, environment: environment, configFilePath: configFile,
            defaultConfigFilePath: defaultConfigFilePath)
    }
}

extension FaafoConfiguration {
    /// The level `--debug` (DEBUG), `--verbose` (INFO) or neither (WARNING) asks for.
    var logLevel: Logger.Level { debug ? .debug : verbose ? .info : .warning }
}
