import FaafoClient
import FaafoConfig
import Foundation
import FaafoLogging
import Logging

/// What a client subcommand works with: the configuration, a logger in the tutorial's
/// form, and an API client that is shut down when the work is done.
struct ClientSession {
    let configuration: FaafoConfiguration
    let logger: Logger
    let client: FaafoAPIClient

    /// Loads the configuration for `globals`, runs `body` with a session, and shuts the
    /// client down. Failures become one line for `FaafoMain`: a configuration problem a
    /// `UsageFailure` (exit 2), an API or connection problem a `CommandFailure` (exit 1).
    /// `connections`: how many calls the client may have on the wire at once.
    static func run<T: Sendable>(
        _ globals: GlobalOptions, label: String = "faafo.client", connections: Int? = nil,
        _ body: (ClientSession) async throws -> T
    ) async throws -> T {
        let configuration: FaafoConfiguration
        do {
            configuration = try globals.configuration()
        } catch {
            throw UsageFailure(error.description)
        }
        let logger = Logger(label: label) { label in
            TutorialLogHandler(label: label, level: configuration.logLevel)
        }
        if let file = configuration.configFile { logger.debug("read configuration from \(file)") }
        for line in configuration.summaryLines { logger.debug("option \(line)") }
        for (key, line) in configuration.ignoredFileKeys {
            logger.info("\(configuration.configFile ?? ""):\(line): option '\(key)' is not one of faafo's, ignored")
        }

        let client: FaafoAPIClient
        do {
            client = try FaafoAPIClient(
                endpointURL: configuration.endpointURL,
                timeouts: .init(
                    connectSeconds: configuration.connectTimeout, requestSeconds: configuration.requestTimeout),
                retryingConnections: false, connections: connections,
                credentials: .init(operator: configuration.operatorToken, create: configuration.createToken),
                logger: logger)
        } catch {
            throw UsageFailure(error.description)
        }
        let session = ClientSession(configuration: configuration, logger: logger, client: client)
        do {
            let result = try await body(session)
            try? await client.shutdown()
            return result
        } catch let error as FaafoClientError {
            try? await client.shutdown()
            throw CommandFailure(error.description)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// Bad input found after parsing (a configuration value, a uuid): one line, exit status 2.
struct UsageFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
