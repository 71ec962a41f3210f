import FaafoAPI
import FaafoConfig
import FaafoController
import FaafoTestKit
import HostLab
import FractalStore
import SQLiteFractalStore
import Hummingbird
import HummingbirdTesting
import Testing
import WorkQueue
import FaafoWire
import FractalCore
import Foundation

/// The backends a configuration's `database_url` and `image_store` choose.
@Suite struct FaafoSystemTests {
    func configuration(databaseURL: String, _ more: [String: String] = [:]) throws -> FaafoConfiguration {
        try FaafoConfiguration.load(
            cliOverrides: more.merging(["database_url": databaseURL]) { $1 }, environment: [:],
            defaultConfigFilePath: nil)
    }

    /// The options of the test Swift, for `image_store = swift://CONTAINER`.
    func swiftOptions(container: String, key: String? = nil) throws -> [String: String] {
        let swift = try TestObjectStore.fromEnvironment()
        return [
            "image_store": "swift://\(container)", "swift_auth_url": swift.authURL, "swift_user": swift.user,
            "swift_key": key ?? swift.key,
        ]
    }

    /// Runs `body` with the store `FaafoSystem` makes over SQLite (in memory) with the
    /// images in a fresh container of the test Swift, reached at `authURL` (by default the
    /// shared proxy); then shuts the store down (its HTTP client must be) and deletes the
    /// container, whatever `body` did.
    func withSwiftStore(
        authURL: String? = nil, _ body: (any FractalStore, _ container: String) async throws -> Void
    ) async throws {
        let swift = try TestObjectStore.fromEnvironment()
        let container = TestObjectStore.freshContainer()
        var options = try swiftOptions(container: container)
        if let authURL { options["swift_auth_url"] = authURL }
        let store = try await FaafoSystem.makeStore(try configuration(databaseURL: "sqlite://", options))
        var failure: (any Error)?
        do {
            try await body(store, container)
        } catch {
            failure = error
        }
        try? await store.shutdown()
        try? await swift.deleteContainer(container)
        if let failure { throw failure }
    }

    @Test(.tags(.objectStore), .needs(.objectStore)) func aSwiftImageStoreKeepsTheImagesInItsContainer() async throws {
        try await withSwiftStore { store, container in
            let split = try #require(store as? ObjectImageFractalStore)
            #expect((split.records as? SQLiteFractalStore)?.imageStore == .outside)
            #expect(try await TestObjectStore.fromEnvironment().objectNames(in: container) == [], "the container was made, empty")
        }
    }

    /// `GET /fractal/<uuid>` sends an image kept in Swift as it arrives, with its length.
    @Test(.tags(.objectStore), .needs(.objectStore)) func anImageInSwiftIsServedWithItsLength() async throws {
        try await withSwiftStore { store, _ in
            let service = FractalService(store: store, queue: InMemoryWorkQueue())
            let app = Application(router: buildRouter(service: service, resultLimit: 64 << 20))
            try await app.test(.router) { client in
                // Some hundreds of kilobytes of PNG: many chunks from Swift.
                let request = CreateFractal(
                    fractal: FractalRequest(
                        width: 1200, height: 900, iterations: 64, xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: 7))
                guard case .created(let object) = try await service.create(request) else {
                    Issue.record("not created")
                    return
                }
                let upload = try upload(for: object)
                _ = try await service.submitResult(object.uuid, upload)
                let png = try #require(Data(base64Encoded: upload.image))
                let response = try await client.execute(uri: "/fractal/\(object.uuid)", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == String(png.count))
                #expect(Data(buffer: response.body) == png)
            }
        }
    }

    /// `/readyz`'s check follows Swift: ready, not ready while the proxy the API uses is
    /// killed (the message names the image store), ready again once it is back.
    @Test(.tags(.objectStore), .needs(.objectStore)) func readinessFollowsTheImageStore() async throws {
        let proxy = try await SecondProxy(copying: try TestObjectStore.fromEnvironment())
        defer { proxy.stop() }
        try await proxy.start()
        try await withSwiftStore(authURL: proxy.authURL) { store, _ in
            let service = FractalService(store: store, queue: InMemoryWorkQueue())
            #expect(await service.readinessProblems() == [])
            try await proxy.kill()
            let down = await service.readinessProblems()
            #expect(down.count == 1 && down.first?.hasPrefix("the image store does not answer") == true, "\(down)")
            try await proxy.start()
            #expect(await service.readinessProblems() == [])
        }
    }

    /// A key Swift refuses is an error at start-up that names the options, never the key.
    @Test(.tags(.objectStore), .needs(.objectStore)) func aWrongSwiftKeyIsAClearErrorWithoutTheKey() async throws {
        let config = try configuration(
            databaseURL: "sqlite://", try swiftOptions(container: TestObjectStore.freshContainer(), key: "not-the-key-42"))
        let error = await #expect(throws: StoreError.self) { try await FaafoSystem.makeStore(config) }
        let message = error?.message ?? ""
        #expect(message.contains("swift_key"), "\(message)")
        #expect(!message.contains("not-the-key-42"), "\(message)")
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
