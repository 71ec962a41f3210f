import Testing

@testable import FaafoCLI

@Suite struct LogLevelTests {
    @Test func levelsFollowTheFlags() throws {
        var configuration = FaafoConfigurationForTests.make()
        #expect(configuration.logLevel == .warning)
        configuration.verbose = true
        #expect(configuration.logLevel == .info)
        configuration.debug = true
        #expect(configuration.logLevel == .debug)
    }
}
