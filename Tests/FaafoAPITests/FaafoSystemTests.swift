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

    @Test func sqliteURLsOpenSQLite() async throws {
        let store = try await FaafoSystem.makeStore(try configuration(databaseURL: "sqlite://"))
        let sqlite = try #require(store as? SQLiteFractalStore)
        #expect(sqlite.location == .memory)
    }

    @Test func memoryURLsUseTheInProcessStore() async throws {
        #expect(try await FaafoSystem.makeStore(try configuration(databaseURL: "memory://")) is MemoryFractalStore)
    }

    /// Nothing listens on port 1: the error names the option and the server, never the password.
    @Test func anUnreachablePostgreSQLServerIsAClearErrorWithoutItsPassword() async throws {
        let config = try configuration(databaseURL: "postgresql://faafo:secret@127.0.0.1:1/faafo")
        let error = await #expect(throws: StoreError.self) { try await FaafoSystem.makeStore(config) }
        let message = error?.message ?? ""
        #expect(message.contains("database_url"), "\(message)")
        #expect(message.contains("127.0.0.1:1"), "\(message)")
        #expect(!message.contains("secret"), "\(message)")
    }

    @Test func anImageFolderIsRefusedForPostgreSQL() async throws {
        var config = try configuration(databaseURL: "postgresql://faafo:secret@127.0.0.1:1/faafo")
        config.imageStore = .directory(path: "/tmp/images")
        let error = await #expect(throws: StoreError.self) { try await FaafoSystem.makeStore(config) }
        #expect(error?.message.contains("image_store") == true, "\(String(describing: error))")
    }
}
