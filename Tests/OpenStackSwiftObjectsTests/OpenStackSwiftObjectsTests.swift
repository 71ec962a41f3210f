import FaafoTestKit
import HostLab
import Crypto
import Foundation
import FractalStore
@_spi(Testing) import OpenStackSwiftObjects
import Testing

/// OpenStackSwiftObjects against a real Swift (`scripts/start-swift`): what it stores, how it
/// fails at start-up, and that it recovers from expired tokens and a killed proxy. All but
/// the checks made before anything is sent need the object store.
@Suite struct OpenStackSwiftObjectsTests {
    /// A name as the store makes them: `<uuid>/<sha256>.png`.
    static func objectName(for png: Data) -> (name: String, sha256: String) {
        let sha256 = SHA256.hash(data: png).map { String(format: "%02x", $0) }.joined()
        return (UUID().uuidString.lowercased() + "/" + sha256 + ".png", sha256)
    }

    /// Bytes that no compression or caching could fake: a fixed generator's output.
    static func bytes(_ count: Int, seed: UInt64) -> Data {
        var state = seed
        var data = Data(capacity: count)
        while data.count < count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            withUnsafeBytes(of: state.bigEndian) { data.append(contentsOf: $0.prefix(count - data.count)) }
        }
        return data
    }

    static func md5(_ data: Data) -> String { Insecure.MD5.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    @Test(.tags(.objectStore), .needs(.objectStore))
    func roundTripsImagesByteForByteWithTypeChecksumAndMetadata() async throws {
        try await TestObjectStore.withObjects { objects, swift in
            for png in [Self.bytes(1000, seed: 1), Self.bytes(5 << 20, seed: 2)] {
                let (name, sha256) = Self.objectName(for: png)
                try await objects.put(png, named: name, sha256: sha256)
                #expect(try await objects.get(name) == png)

                let head = try await swift.raw(.HEAD, TestObjectStore.path(container: objects.container, object: name))
                #expect(head.status == 200)
                #expect(head.headers.first(name: "Content-Type") == "image/png")
                #expect(head.headers.first(name: "ETag") == Self.md5(png))
                #expect(head.headers.first(name: "X-Object-Meta-Sha256") == sha256)
                #expect(head.headers.first(name: "Content-Length") == "\(png.count)")

                try await objects.remove(name)
                #expect(try await objects.get(name) == nil)
            }
        }
    }

    /// A large object arrives in many chunks, each read once the one before is taken,
    /// with its length known before the first; a missing one is nil.
    @Test(.tags(.objectStore), .needs(.objectStore)) func chunksArriveInOrderWithTheLengthFirst() async throws {
        try await TestObjectStore.withObjects { objects, _ in
            let png = Self.bytes(5 << 20, seed: 7)
            let (name, sha256) = Self.objectName(for: png)
            try await objects.put(png, named: name, sha256: sha256)
            let chunks = try #require(try await objects.chunks(of: name))
            #expect(chunks.length == png.count)
            var received = Data()
            var count = 0
            try await chunks.forEachChunk { chunk in
                received.append(chunk)
                count += 1
            }
            #expect(received == png)
            #expect(count > 1, "5 MiB in one chunk: read whole, not streamed")
            #expect(try await objects.chunks(of: Self.objectName(for: Data()).name) == nil)
        }
    }

    @Test(.tags(.objectStore), .needs(.objectStore)) func putReplacesAnObjectOfTheSameName() async throws {
        try await TestObjectStore.withObjects { objects, _ in
            let (name, _) = Self.objectName(for: Data())
            try await objects.put(Self.bytes(100, seed: 3), named: name, sha256: "a")
            let second = Self.bytes(200, seed: 4)
            try await objects.put(second, named: name, sha256: "b")
            #expect(try await objects.get(name) == second)
        }
    }

    /// Workers sending one result at once make PUTs of one name race. Swift answers 202 to
    /// a PUT it ranks older than one already stored: that is the object stored, not an error.
    @Test(.tags(.objectStore), .needs(.objectStore))
    func concurrentPutsOfOneNameAllReturnAndLeaveTheObjectWhole() async throws {
        try await TestObjectStore.withObjects { objects, _ in
            for round in 0..<30 {
                let png = Self.bytes(64 << 10, seed: 10 + UInt64(round))
                let (name, sha256) = Self.objectName(for: png)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // 8 at once, as many as the client keeps connections to the proxy: more
                    // would wait for one and, in a loaded run, time out waiting.
                    for _ in 0..<8 { group.addTask { try await objects.put(png, named: name, sha256: sha256) } }
                    try await group.waitForAll()
                }
                #expect(try await objects.get(name) == png)
            }
        }
    }

    @Test(.tags(.objectStore), .needs(.objectStore))
    func namesWithReservedAndNonASCIICharactersArriveAsThemselves() async throws {
        try await TestObjectStore.withObjects { objects, swift in
            let name = "dir/a b?c#d%25e+f&é.png"
            let png = Self.bytes(10, seed: 5)
            try await objects.put(png, named: name, sha256: "x")
            #expect(try await swift.objectNames(in: objects.container) == [name])
            #expect(try await objects.get(name) == png)
            #expect(try await objects.get("dir/a b") == nil)
        }
    }

    @Test(.tags(.objectStore), .needs(.objectStore)) func missingObjectIsNilAndRemovingItSucceeds() async throws {
        try await TestObjectStore.withObjects { objects, _ in
            #expect(try await objects.get("no-such/object.png") == nil)
            try await objects.remove("no-such/object.png")
        }
    }

    @Test(.tags(.objectStore), .needs(.objectStore))
    func createsAMissingContainerAndReusesAnExistingOne() async throws {
        let swift = try TestObjectStore.fromEnvironment()
        let container = TestObjectStore.freshContainer()
        #expect(try await swift.raw(.HEAD, container).status == 404)
        let png = Self.bytes(64, seed: 6)
        try await TestObjectStore.withObjects(container: container) { objects, _ in
            #expect(try await swift.raw(.HEAD, container).status == 204)
            try await objects.put(png, named: "kept.png", sha256: "s")
            let kept = try await TestObjectStore.withObjects(container: container) { again, _ in
                try await again.get("kept.png")
            }
            #expect(kept == png)
        }
    }

    @Test(.tags(.objectStore), .needs(.objectStore)) func describesItsContainerWithoutSecrets() async throws {
        try await TestObjectStore.withObjects { objects, swift in
            let text = objects.description
            #expect(text.hasPrefix("Swift container '\(objects.container)' at http://127.0.0.1:"))
            #expect(!text.contains(swift.key))
            #expect(!text.contains("AUTH_tk"))
        }
    }

    @Test(.tags(.objectStore), .needs(.objectStore)) func renewsASpoiltTokenAndRetriesTheCall() async throws {
        try await TestObjectStore.withObjects { objects, _ in
            let png = Self.bytes(128, seed: 7)
            objects.spoilToken()
            try await objects.put(png, named: "renewed.png", sha256: "s")
            objects.spoilToken()
            #expect(try await objects.get("renewed.png") == png)
            objects.spoilToken()
            try await objects.remove("renewed.png")
            #expect(try await objects.get("renewed.png") == nil)
        }
    }

    @Test(.tags(.objectStore), .needs(.objectStore)) func wrongKeyFailsNamingSwiftKeyWithoutShowingIt() async throws {
        let swift = try TestObjectStore.fromEnvironment()
        let wrongKey = "wrong-key-" + UUID().uuidString
        let error = await #expect(throws: StoreError.self) {
            _ = try await OpenStackSwiftObjects(
                authURL: swift.authURL, user: swift.user, key: wrongKey, container: TestObjectStore.freshContainer(),
                logger: TestObjectStore.logger)
        }
        #expect(error?.message.contains("swift_key") == true)
        #expect(error?.message.contains(wrongKey) == false)
    }

    @Test(arguments: ["http://127.0.0.1:1/auth/v1.0", "not a url", "ftp://127.0.0.1/auth/v1.0", "http:///auth/v1.0"])
    func unreachableOrMalformedAuthURLFailsNamingSwiftAuthURL(url: String) async throws {
        let swift = try TestObjectStore.fromEnvironment()
        let started = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) {
            _ = try await OpenStackSwiftObjects(
                authURL: url, user: swift.user, key: swift.key, container: TestObjectStore.freshContainer(),
                logger: TestObjectStore.logger)
        }
        #expect(error?.message.contains("swift_auth_url") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(swift.key) == false)
        // Bounded, not hanging (the client's own limits: 5 s to connect, 30 s a call).
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    /// Over 256 bytes and `/` are refused before anything is sent.
    @Test(arguments: [String(repeating: "x", count: 257), "faafo-test/slash", ""])
    func containerNameSwiftWouldRefuseFailsNamingImageStore(container: String) async throws {
        try await Self.expectImageStoreFailure(container: container)
    }

    /// Only Swift checks this one: it answers 412 to a name with a NUL.
    @Test(.tags(.objectStore), .needs(.objectStore))
    func containerNameSwiftRefusesFailsNamingImageStore() async throws {
        try await Self.expectImageStoreFailure(container: "faafo-test-nul\u{0}")
    }

    static func expectImageStoreFailure(container: String) async throws {
        let swift = try TestObjectStore.fromEnvironment()
        let error = await #expect(throws: StoreError.self) {
            _ = try await OpenStackSwiftObjects(
                authURL: swift.authURL, user: swift.user, key: swift.key, container: container, logger: TestObjectStore.logger)
        }
        #expect(error?.message.contains("image_store") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(swift.key) == false)
    }

    /// The same client object fails (bounded, with a StoreError) while its proxy is dead,
    /// and works again once a proxy answers on that port.
    @Test(.tags(.objectStore), .needs(.objectStore)) func survivesAProxyKilledWithSIGKILL() async throws {
        let swift = try TestObjectStore.fromEnvironment()
        let proxy = try await SecondProxy(copying: swift)
        defer { proxy.stop() }
        try await proxy.start()
        try await TestObjectStore.withObjects(authURL: proxy.authURL) { objects, _ in
            let png = Self.bytes(4096, seed: 8)
            try await objects.put(png, named: "before.png", sha256: "s")

            try await proxy.kill()
            let started = ContinuousClock.now
            let error = await #expect(throws: StoreError.self) {
                try await objects.put(png, named: "during.png", sha256: "s")
            }
            #expect(error?.message.contains("during.png") == true, "\(error?.message ?? "")")
            // Bounded, not hanging (the client's own limits: 5 s to connect, 30 s a call).
            #expect(ContinuousClock.now - started < .seconds(60))
            await #expect(throws: StoreError.self) { _ = try await objects.get("before.png") }

            try await proxy.start()
            try await objects.put(png, named: "after.png", sha256: "s")
            #expect(try await objects.get("before.png") == png)
            #expect(try await objects.get("after.png") == png)
        }
    }
}
