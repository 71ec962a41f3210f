import AMQPWorkQueue
import FaafoClient
import FaafoCluster
import FaafoTestKit
import FaafoWire
import Foundation
import FractalCore
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import FractalJob
import Testing
import WorkQueue

/// Our services beside the original faafo's, on a real RabbitMQ: the original worker
/// serving our API, and our worker serving the original API's queue, whichever side
/// declares the queue first (Tests/OriginalFaafo has the original's side, in Python with
/// kombu, as the original is written).
@Suite(
    .serialized, .tags(.endToEnd, .rabbitMQ), .needs(.rabbitMQ, .programs(OriginalFaafo.python.path)),
    .timeLimit(.minutes(5)))
struct OriginalFaafoInteropTests {
    enum FirstToDeclare: String, CaseIterable, CustomTestStringConvertible {
        case kombu, ours
        var testDescription: String { "\(rawValue) declares first" }
    }

    static let tasks = (0..<4).map { i in
        CreateFractal(
            fractal: FractalRequest(
                width: 40 + i, height: 30, iterations: 60, xa: -1.6, xb: 1.6, ya: -1.2, yb: 1.2, seed: UInt64(i)))
    }

    /// The original worker takes our API's tasks: its results (random c, PIL's PNG, no
    /// pixel_checksum) are stored as they are and marked as outside the render contract.
    @Test(arguments: FirstToDeclare.allCases)
    func theOriginalWorkerCompletesOurAPIsTasks(_ first: FirstToDeclare) async throws {
        var options = LocalCluster.Options(executables: try LocalCluster.executablesFolder())
        if first == .kombu {
            options.beforeAPI = { url in try await OriginalFaafo.declare(url) }
        }
        try await withCluster(options) { cluster in
            let original = try OriginalFaafo.start(
                "original_worker.py",
                ["--amqp-url", cluster.brokerURL, "--endpoint-url", cluster.endpoint, "--tasks", "\(Self.tasks.count)",
                 "--timeout", "90", "--name", "original-host"],
                name: "original worker")
            defer { original.kill() }
            try await original.waitForLog("consuming")
            let uuids = try await cluster.create(Self.tasks)
            let objects = try await cluster.waitForCompletion(uuids, timeout: .seconds(100))
            #expect(objects.count == uuids.count)
            for object in objects {
                #expect(object.status == .completed && object.generatedBy == "original-host", "\(object.uuid)")
                #expect(object.isOutsideRenderContract && object.pixelChecksum == nil, "\(object.uuid)")
                let image = try await cluster.client.image(object.uuid)
                #expect(image.count == object.size, "\(object.uuid)")
            }
            #expect(cluster.api.logCount(of: "PRECONDITION_FAILED") == 0, "\(cluster.api.log.suffix(2000))")
        }
    }

    /// Our worker takes the original API's tasks (the original's message, no seed, no c:
    /// the seed comes from the uuid), and dead-letters the poison it publishes.
    @Test(arguments: FirstToDeclare.allCases)
    func ourWorkerCompletesTheOriginalAPIsTasks(_ first: FirstToDeclare) async throws {
        let broker = RabbitMQ()
        let virtualHost = "faafo-interop-\(UUID().uuidString.prefix(8).lowercased())"
        let url = try await broker.makeVirtualHost(virtualHost)
        var processes: [ServiceProcess] = []
        defer { processes.forEach { $0.kill() } }
        try await withCleanup({ await broker.deleteVirtualHost(virtualHost) }) {
            let api = try OriginalFaafo.start("original_api.py", ["--amqp-url", url, "--timeout", "150"], name: "original api")
            processes.append(api)
            let line = try await api.waitForLog("listening on 127.0.0.1:")
            let port = try #require(line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })
            let endpoint = "http://127.0.0.1:\(port)"

            if first == .kombu { try await OriginalFaafo.declare(url) }
            let worker = try ServiceProcess(
                try LocalCluster.executablesFolder().appending(path: "faafo-worker"),
                ["--transport-url", url, "--endpoint-url", endpoint, "--name", "ours", "--concurrency", "2"],
                name: "faafo-worker")
            processes.append(worker)
            try await worker.waitForLog("consuming")

            var uuids: [String] = []
            for task in Self.tasks {
                let original = OriginalFaafo.Fields(fractal: task.fractal)
                uuids.append(try #require(try await OriginalFaafo.post(original, endpoint: endpoint).uuid))
            }
            try await OriginalFaafo.publishRaw(Data("not json at all".utf8), endpoint: endpoint)
            try await OriginalFaafo.publishRaw(
                Data(#"{"uuid": "5b6e0f1c-7a1d-4d3e-9a57-3f1e2c4b5a69", "width": 1, "height": 1, "iterations": 1, "xa": 0, "xb": 1, "ya": 0, "yb": 1}"#.utf8),
                endpoint: endpoint)

            let deadline = ContinuousClock.now + .seconds(60)
            var stored: [OriginalFaafo.Fields] = []
            repeat {
                stored = []
                for uuid in uuids { stored.append(try await OriginalFaafo.get(uuid, endpoint: endpoint)) }
                if stored.allSatisfy({ $0.checksum != nil }) { break }
                try await Task.sleep(for: .milliseconds(200))
            } while ContinuousClock.now < deadline
            for object in stored {
                let uuid = try #require(object.uuid)
                let seed = try #require(TaskMessage.seedFromUUID(uuid))
                var request = object.fractal
                request.seed = seed
                let parameters = try request.validated()
                let expected = try RenderJob.run(parameters, threads: 1)
                #expect(object.checksum == expected.checksum, "\(uuid)\n\(worker.log.suffix(2000))")
                #expect(object.pixelChecksum == expected.pixelChecksum, "\(uuid)")
                #expect(object.generatedBy == "ours")
            }

            let queue = try await AMQPWorkQueue(url: url)
            var dead: [QueueDelivery] = []
            let drainDeadline = ContinuousClock.now + .seconds(10)
            while dead.count < 2, ContinuousClock.now < drainDeadline {
                dead += try await queue.drainDeadLetters(limit: 10)
                if dead.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
            }
            await queue.shutdown()
            #expect(dead.count == 2, "both poison messages in normal.dead\n\(worker.log.suffix(2000))")
            #expect(Set(dead.map { String(decoding: $0.body, as: UTF8.self) }).contains("not json at all"))
            await worker.stop()
            #expect(worker.logCount(of: "PRECONDITION_FAILED") == 0)
        }
    }
}

/// The original faafo's services in Python (Tests/OriginalFaafo), run with Debian's python3.
enum OriginalFaafo {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "OriginalFaafo")
    static let python = URL(fileURLWithPath: "/usr/bin/python3")

    static func start(_ script: String, _ arguments: [String], name: String) throws -> ServiceProcess {
        try ServiceProcess(python, [folder.appending(path: script).path] + arguments, name: name)
    }

    /// Declares the queue as the original's services do when they start.
    static func declare(_ url: String) async throws {
        let (status, output) = try await runCommand(
            python, [folder.appending(path: "original_worker.py").path, "--amqp-url", url, "--declare-only"],
            timeout: .seconds(30))
        guard status == 0, output.contains("declared") else {
            throw ClusterError("kombu could not declare the queue (exit \(status)): \(output)")
        }
    }

    /// A fractal as the original API shows it: the original's fields (no c, no seed), and
    /// the result.
    struct Fields: Codable {
        var uuid: String?
        var fractal: FractalRequest
        var checksum: String?
        var pixelChecksum: String?
        var generatedBy: String?

        enum CodingKeys: String, CodingKey {
            case uuid, checksum
            case pixelChecksum = "pixel_checksum"
            case generatedBy = "generated_by"
        }

        init(fractal: FractalRequest) {
            self.fractal = fractal
            self.fractal.cx = nil
            self.fractal.cy = nil
            self.fractal.seed = nil
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            uuid = try c.decodeIfPresent(String.self, forKey: .uuid)
            fractal = try FractalRequest(from: decoder)
            checksum = try c.decodeIfPresent(String.self, forKey: .checksum)
            pixelChecksum = try c.decodeIfPresent(String.self, forKey: .pixelChecksum)
            generatedBy = try c.decodeIfPresent(String.self, forKey: .generatedBy)
        }

        func encode(to encoder: any Encoder) throws {
            try fractal.encode(to: encoder)
        }
    }

    static func post(_ fractal: Fields, endpoint: String) async throws -> Fields {
        try JSONDecoder().decode(Fields.self, from: try await call("POST", "\(endpoint)/v1/fractal", JSONEncoder().encode(fractal)))
    }

    static func get(_ uuid: String, endpoint: String) async throws -> Fields {
        try JSONDecoder().decode(Fields.self, from: try await call("GET", "\(endpoint)/v1/fractal/\(uuid)", nil))
    }

    /// Has the original API's producer publish `body` as it is.
    static func publishRaw(_ body: Data, endpoint: String) async throws {
        _ = try await call("POST", "\(endpoint)/raw", body)
    }

    private static func call(_ method: String, _ url: String, _ body: Data?) async throws -> Data {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: 30)
        request.httpMethod = method
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
            throw ClusterError("the original API answered \(method) \(url) with \(response): \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }
}

/// Runs `body`, then `cleanup`, whether `body` threw or not.
func withCleanup(_ cleanup: () async -> Void, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
}

/// The original's etc/faafo.conf as it ships (Tests/OriginalFaafo/faafo.conf), read by our
/// services unchanged.
@Suite(.serialized, .tags(.endToEnd, .rabbitMQ), .needs(.rabbitMQ), .timeLimit(.minutes(2)))
struct OriginalConfigurationTests {
    /// faafo-api starts on it (the port from the command line: the file leaves the
    /// original's port 80 commented out) and answers; so does faafo-worker.
    @Test func theOriginalFaafoConfStartsOurServices() async throws {
        let conf = OriginalFaafo.folder.appending(path: "faafo.conf")
        let database = "/tmp/sqlite.db"
        let databaseExisted = FileManager.default.fileExists(atPath: database)
        let executables = try LocalCluster.executablesFolder()
        try await withCleanup({
            if !databaseExisted {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
            }
        }) {
            let api = try ServiceProcess(
                executables.appending(path: "faafo-api"),
                ["--config-file", conf.path, "--listen-address", "127.0.0.1", "--bind-port", "0", "--workers", "0"],
                name: "faafo-api")
            defer { api.kill() }
            _ = try await api.waitForLog("listening on 127.0.0.1:")
            let port = try #require(api.listeningPort)
            let client = try FaafoAPIClient(endpointURL: "http://127.0.0.1:\(port)")
            let page = try await client.list(page: 1)
            #expect(page.page == 1, "\(api.log.suffix(1500))")
            try await client.shutdown()
            await api.stop()

            let worker = try ServiceProcess(
                executables.appending(path: "faafo-worker"), ["--config-file", conf.path, "--name", "conf-check"],
                name: "faafo-worker")
            defer { worker.kill() }
            _ = try await worker.waitForLog("consuming")
            await worker.stop()
            #expect(api.logCount(of: "PRECONDITION_FAILED") + worker.logCount(of: "PRECONDITION_FAILED") == 0)
        }
    }
}
