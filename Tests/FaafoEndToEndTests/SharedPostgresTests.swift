import Crypto
import FaafoClient
import FaafoCluster
import FaafoConfig
import FaafoTestKit
import HostLab
import FaafoWire
import Foundation
import FractalJob
import Synchronization
import Testing

/// Two faafo-api processes over one PostgreSQL database (a database of its own on the test
/// server, `FAAFO_TEST_POSTGRES_URL`; see scripts/start-postgres), the images in the
/// database or in a container of their own on the test Swift (scripts/start-swift),
/// RabbitMQ on a virtual host of its own, two workers.
@Suite(
    .tags(.endToEnd, .rabbitMQ, .postgreSQL, .objectStore), .needs(.rabbitMQ, .postgreSQL, .objectStore),
    .timeLimit(.minutes(5)))
struct SharedPostgresTests {
    enum Images: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case inTheDatabase = "images in the database"
        case inSwift = "images in Swift"
        var testDescription: String { rawValue }
    }

    /// 200 small tasks created through both APIs at once; the first API is killed with
    /// SIGKILL mid-batch and stays dead. Creations it did not answer are sent again, same
    /// uuid, to the second; whatever it had stored but not yet queued, the second API's
    /// outbox claims and publishes. Every task completes once, with the render core's
    /// checksums, and its image is where the configuration puts it: with Swift, one object
    /// a fractal, named by its checksum, and no image in the database.
    @Test(arguments: Images.allCases)
    func twoAPIsOverOnePostgreSQLLoseNothingWhenOneIsKilledMidBatch(_ images: Images) async throws {
        let database = try SharedDatabase()
        defer { database.drop() }
        let swift = try TestObjectStore.fromEnvironment()
        let container = TestObjectStore.freshContainer()
        var options = LocalCluster.Options(executables: try LocalCluster.executablesFolder())
        options.databaseURL = database.url
        options.additionalAPIs = 1
        options.workersReportTo = 1  // the survivor
        if images == .inSwift {
            options.apiEnvironment = [
                "FAAFO_IMAGE_STORE": "swift://\(container)", "FAAFO_SWIFT_AUTH_URL": swift.authURL,
                "FAAFO_SWIFT_USER": swift.user, "FAAFO_SWIFT_KEY": swift.key,
            ]
        }
        var objects: [FractalObject] = []
        let result = await Result { try await withCluster(options) { cluster in objects = try await run(cluster) } }
        let objectNames = images == .inSwift ? try await swift.objectNames(in: container) : []
        try? await swift.deleteContainer(container)
        try result.get()

        let imageRows = try await database.count("SELECT COUNT(*) FROM image")
        switch images {
        case .inTheDatabase:
            #expect(imageRows == objects.count)
        case .inSwift:
            #expect(imageRows == 0, "no image in the database")
            let expected = objects.map { "\($0.uuid)/\($0.checksum ?? "-").png" }
            #expect(objectNames.sorted() == expected.sorted(), "one object a fractal, no orphan")
        }
    }

    /// The batch; the fractals as the survivor lists them at the end.
    private func run(_ cluster: LocalCluster) async throws -> [FractalObject] {
        try await cluster.startWorker(name: "worker-1")
        try await cluster.startWorker(name: "worker-2")
        let survivor = cluster.additionalClients[0]
        // No retrying to connect: once the first API is dead, a creation sent to it fails at once.
        let doomed = try FaafoAPIClient(endpointURL: cluster.endpoint, retryingConnections: false)
        defer { Task { try? await doomed.shutdown() } }
        let tasks = batch(200, iterations: 64).withUUIDs()
        let counts = Counts()
        let victim = cluster.api
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Four creators, each alternating between the two APIs.
            for creator in 0..<4 {
                group.addTask {
                    for (index, task) in tasks.enumerated() where index % 4 == creator {
                        let first = index.isMultiple(of: 2) && !counts.killed.load(ordering: .relaxed) ? doomed : survivor
                        do {
                            _ = try await first.create(task)
                        } catch {
                            // The killed API: the same task, same uuid, to the other one.
                            counts.retried.add(1, ordering: .relaxed)
                            _ = try await survivor.create(task)
                        }
                        if counts.created.add(1, ordering: .relaxed).newValue == 100 {
                            victim.kill()
                            counts.killed.store(true, ordering: .relaxed)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let uuids = tasks.map { $0.uuid! }
        let deadline = ContinuousClock.now + .seconds(180)
        var objects: [FractalObject] = []
        while ContinuousClock.now < deadline {
            objects = try await survivor.listAll(perPage: 1000)
            if objects.filter({ $0.status == .completed }).count >= uuids.count { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let fromOutbox = cluster.additionalAPIs[0].log.split(separator: "\n").filter { $0.contains("from the outbox") }
        print("two APIs over PostgreSQL: \(counts.retried.load(ordering: .relaxed)) creation(s) sent again to the survivor; its outbox: \(fromOutbox)")
        #expect(objects.count == uuids.count, "nothing stored twice, nothing extra")
        #expect(Set(objects.map(\.uuid)) == Set(uuids))
        for object in objects {
            #expect(object.status == .completed, "\(object.uuid)\n\(cluster.additionalAPIs[0].log.suffix(2000))")
            #expect(object.attempts == 1, "\(object.uuid)")
            let expected = try expectedChecksums(object)
            #expect(object.checksum == expected.checksum && object.pixelChecksum == expected.pixelChecksum, "\(object.uuid)")
        }
        // Every image is served, as the worker sent it.
        for object in objects.prefix(20) {
            #expect(SHA256.hash(data: try await survivor.image(object.uuid)).hexString == object.checksum, "\(object.uuid)")
        }
        return objects
    }
}

/// Creations made, and those sent again to the survivor.
private final class Counts: Sendable {
    let created = Atomic<Int>(0)
    let retried = Atomic<Int>(0)
    let killed = Atomic<Bool>(false)
}

/// A database of its own on the PostgreSQL test server, made and dropped with psql.
struct SharedDatabase {
    static let serverURL = TestPostgres.url
    let name = "faafo_e2e_" + UUID().uuidString.prefix(8).lowercased()

    /// The server's URL with this database in place of its own.
    var url: String {
        var base = Self.serverURL
        if let query = base.firstIndex(of: "?") { base = String(base[..<query]) }
        return String(base[...base.lastIndex(of: "/")!]) + name
    }

    init() throws {
        guard Self.psql("CREATE DATABASE \(name)") else {
            throw Failure(
                "cannot create a database on the PostgreSQL test server \(Redaction.redactingPassword(Self.serverURL)): "
                    + "start it with `eval \"$(scripts/start-postgres)\"`")
        }
    }

    func drop() { _ = Self.psql("DROP DATABASE \(name) WITH (FORCE)") }

    /// The number the query `sql` answers in this database.
    func count(_ sql: String) async throws -> Int {
        let (status, output) = try await runCommand(URL(fileURLWithPath: "/usr/bin/psql"), [url, "-X", "-Atc", sql])
        guard status == 0, let count = Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure("psql \(sql): \(output)")
        }
        return count
    }

    private static func psql(_ sql: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [serverURL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
