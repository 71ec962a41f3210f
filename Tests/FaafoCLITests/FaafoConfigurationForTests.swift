import FaafoConfig

/// The built-in configuration, for tests that need one.
enum FaafoConfigurationForTests {
    static func make() -> FaafoConfiguration { FaafoConfiguration() }
}
