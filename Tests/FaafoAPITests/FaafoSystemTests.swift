import FaafoAPI
import FaafoConfig
import FractalStore
import SQLiteFractalStore
import Testing

/// The backends a configuration's `database_url` chooses.
@Suite struct FaafoSystemTests {
    func configuration(databaseURL: String) throws -> FaafoConfiguration {
        try FaafoConfiguration.load(
            cliOverrides: ["database_url": databaseURL], environment: [:], defaultConfigFilePath: nil)
    }

    @Test func sqliteURLsOpenSQLite() throws {
        let store = try FaafoSystem.makeStore(try configuration(databaseURL: "sqlite://"))
        let sqlite = try #require(store as? SQLiteFractalStore)
        #expect(sqlite.location == .memory)
    }

    @Test func memoryURLsUseTheInProcessStore() throws {
        #expect(try FaafoSystem.makeStore(try configuration(databaseURL: "memory://")) is MemoryFractalStore)
    }

    @Test func aPostgreSQLURLIsAClearErrorWithoutItsPassword() throws {
        let config = try configuration(databaseURL: "postgresql://faafo:secret@db:5432/faafo")
        let error = #expect(throws: StoreError.self) { try FaafoSystem.makeStore(config) }
        let message = error?.message ?? ""
        #expect(message.contains("PostgreSQL"), "\(message)")
        #expect(message.contains("sqlite:///"), "\(message)")
        #expect(!message.contains("secret"), "\(message)")
    }
}
