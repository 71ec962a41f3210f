import Crypto
import FaafoClient
import FaafoCluster
import FaafoTestKit
import FaafoWire
import Foundation
import FractalCore
import FractalJob
import Testing

@testable import FaafoCLI

/// The client subcommands and `FaafoAPIClient` against a real `faafo-api` process: no
/// mock of the API anywhere.
@Suite struct ClientCommandsAgainstAPITests {
    static let small = ["--width", "64", "--height", "48", "--iterations", "100"]

    /// Runs `body` with a started API and a client of it; stops both afterwards.
    static func withAPI(
        _ arguments: [String] = [], _ body: (APIServerProcess, FaafoAPIClient) async throws -> Void
    ) async throws {
        let api = try await APIServerProcess(arguments)
        let client = try FaafoAPIClient(endpointURL: api.endpoint, timeouts: .init(request: .seconds(30)))
        do {
            try await body(api, client)
        } catch {
            try? await client.shutdown()
            api.stop()
            throw error
        }
        try await client.shutdown()
        api.stop()
    }

    /// `faafo` pointed at `api`, never reading /etc/faafo/faafo.conf.
    static func faafo(_ api: APIServerProcess, _ arguments: [String], in directory: URL? = nil) async throws -> CommandOutput {
        try await FaafoProcess.run(["--endpoint-url", api.endpoint, "--config-file", api.emptyConfig] + arguments, in: directory)
    }

    /// Waits until the in-process worker has rendered `uuid`.
    static func completed(_ uuid: String, _ client: FaafoAPIClient) async throws -> FractalObject {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let object = try await client.get(uuid)
            if object.status == .completed { return object }
            guard ContinuousClock.now < deadline else { throw Failure("\(uuid) never completed") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    @Test func theTutorialsCreateListShowGetDelete() async throws {
        try await Self.withAPI { api, client in
            // create: one uuid a line on stdout, the tutorial's log line on stderr.
            let created = try await Self.faafo(api, ["--verbose", "create", "--tasks", "3", "--random-seed", "11"] + Self.small)
            #expect(created.status == 0, "\(created.stderr)")
            let uuids = created.lines
            #expect(uuids.count == 3 && uuids.allSatisfy { UUID(uuidString: $0) != nil }, "\(created.text)")
            let logLine = #/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \d+ INFO faafo\.client \[-\] generating 3 task\(s\)$/#
            #expect(created.stderr.split(separator: "\n").contains { $0.wholeMatch(of: logLine) != nil }, "\(created.stderr)")

            var objects: [FractalObject] = []
            for uuid in uuids { objects.append(try await Self.completed(uuid, client)) }

            // list: the table of every fractal.
            let listed = try await Self.faafo(api, ["list"])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.text == FractalTables.list(try await client.listAll()).rendered + "\n")
            for object in objects {
                #expect(listed.lines.contains {
                    $0.contains(object.uuid) && $0.contains("64 x 48 pixels") && $0.contains("\(object.size!) bytes")
                })
            }

            // show: the tutorial's table of what the API holds.
            let uuid = uuids[0]
            let shown = try await Self.faafo(api, ["show", uuid])
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.text == FractalTables.show(objects[0]).rendered + "\n")
            #expect(shown.lines[3] == "| uuid         | \(uuid)                             |")
            #expect(shown.lines.contains { $0.hasPrefix("| checksum     | \(objects[0].checksum!) |") })
            let json = try await Self.faafo(api, ["show", uuid, "--json"])
            #expect(try JSONDecoder().decode(FractalObject.self, from: json.stdout) == objects[0])

            // get: the PNG the checksum names, written whole.
            let output = api.scratch.url.appending(path: "fractal.png")
            let got = try await Self.faafo(api, ["get", uuid, "--output", output.path])
            #expect(got.status == 0, "\(got.stderr)")
            let png = try Data(contentsOf: output)
            #expect(png.count == objects[0].size && Self.sha256(png) == objects[0].checksum)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            #expect(got.text == "wrote \(output.path): \(png.count) bytes\n")
            let named = try await Self.faafo(api, ["get", uuid], in: api.scratch.url)
            #expect(named.status == 0, "\(named.stderr)")
            #expect(try Data(contentsOf: api.scratch.url.appending(path: "\(uuid).png")) == png)
            let piped = try await Self.faafo(api, ["get", uuid, "-o", "-"])
            #expect(piped.stdout == png)

            // delete, then the API's 404 as one line.
            let deleted = try await Self.faafo(api, ["delete", uuid])
            #expect(deleted.status == 0 && deleted.text == "deleted \(uuid)\n", "\(deleted.stderr)")
            let gone = try await Self.faafo(api, ["show", uuid])
            #expect(gone.status == 1)
            #expect(gone.stderr == "faafo: error: 404 no fractal \(uuid)\n")
            #expect(gone.stdout.isEmpty)
            let again = try await Self.faafo(api, ["delete", uuid])
            #expect(again.status == 1 && again.stderr.hasPrefix("faafo: error: 404 "), "\(again.stderr)")
            #expect(try await Self.faafo(api, ["list"]).lines.count == 2 + 4)

            // The same random seed sends the same tasks: the API answers with what it holds.
            let repeated = try await Self.faafo(api, ["create", "--tasks", "3", "--random-seed", "11"] + Self.small)
            #expect(repeated.status == 0, "\(repeated.stderr)")
            #expect(repeated.lines == uuids)
            #expect(try await client.get(uuids[1]) == objects[1])
            let recreated = try await Self.completed(uuid, client)
            #expect(recreated.checksum == objects[0].checksum, "the random seed gave c too: the same pixels")
        }
    }

    @Test func listReadsEveryPage() async throws {
        try await Self.withAPI(["--workers", "0"]) { api, client in
            for seed in ["1", "2"] {
                let created = try await Self.faafo(api, ["create", "--tasks", seed == "1" ? "10" : "3", "--random-seed", seed] + Self.small)
                #expect(created.status == 0, "\(created.stderr)")
            }
            let first = try await client.list(page: 1)
            #expect(first.numResults == 13 && first.totalPages == 2 && first.page == 1 && first.objects.count == 10)
            let second = try await client.list(page: 2)
            #expect(second.objects.count == 3 && second.page == 2)
            let all = try await client.listAll()
            #expect(all == first.objects + second.objects)

            let listed = try await Self.faafo(api, ["list"])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.lines.count == 13 + 4)
            #expect(listed.text == FractalTables.list(all).rendered + "\n")
            #expect(listed.lines.filter { $0.contains(" - ") || $0.hasSuffix("-      |") }.count == 13, "pending: no size yet")
            let json = try await Self.faafo(api, ["list", "--json"])
            #expect(try JSONDecoder().decode([FractalObject].self, from: json.stdout) == all)
        }
    }

    @Test func refusalsAreOneClearLine() async throws {
        try await Self.withAPI(["--workers", "0", "--work-budget", "1000"]) { api, client in
            // Over the API's work budget: the API's own message, status 1, nothing on stdout.
            let refused = try await Self.faafo(api, ["create"] + Self.small)
            #expect(refused.status == 1)
            #expect(refused.stdout.isEmpty)
            #expect(refused.stderr.hasPrefix("faafo: error: 400 "), "\(refused.stderr)")
            #expect(refused.stderr.contains("work budget") && refused.stderr.split(separator: "\n").count == 1)

            await #expect {
                _ = try await client.create(CreateFractal(
                    fractal: FractalRequest(
                        width: 64, height: 48, iterations: 100, xa: -2, xb: 2, ya: -1, yb: 1, seed: 1)))
            } throws: { error in
                guard let error = error as? FaafoClientError else { return false }
                return error.code == .httpStatus && error.status == 400 && error.isClientError
                    && error.message.contains("work budget") && error.method == "POST"
                    && error.url == api.endpoint + "/v1/fractal"
            }

            // A pending fractal: shown with dashes, no image yet.
            let tiny = CreateFractal(
                uuid: "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b",
                fractal: FractalRequest(
                    width: 10, height: 10, iterations: 5, xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: 7))
            let pending = try await client.create(tiny)
            #expect(pending.status == .pending && pending.uuid == tiny.uuid)
            let shown = try await Self.faafo(api, ["show", tiny.uuid!])
            #expect(shown.status == 0 && shown.text == FractalTables.show(pending).rendered + "\n", "\(shown.stderr)")
            #expect(shown.lines.contains("| duration     | -                                    |"))
            let noImage = try await Self.faafo(api, ["get", tiny.uuid!], in: api.scratch.url)
            #expect(noImage.status == 1 && noImage.stderr.hasPrefix("faafo: error: 404 "), "\(noImage.stderr)")
            #expect(!FileManager.default.fileExists(atPath: api.scratch.url.appending(path: "\(tiny.uuid!).png").path))

            // The same uuid with other parameters: 409.
            var other = tiny
            other.fractal.iterations = 6
            await #expect {
                _ = try await client.create(other)
            } throws: { error in
                (error as? FaafoClientError)?.status == 409 && (error as? FaafoClientError)?.isClientError == true
            }
            // The same again: the stored object, not an error.
            #expect(try await client.create(tiny) == pending)

            // Unknown fractals.
            let unknown = "0b9e7f3c-1111-4222-8333-444455556666"
            await #expect {
                _ = try await client.get(unknown)
            } throws: { error in
                guard let error = error as? FaafoClientError else { return false }
                return error.status == 404 && error.message == "no fractal \(unknown)"
                    && error.description == "404 no fractal \(unknown)"
            }
            await #expect { try await client.delete(unknown) } throws: { ($0 as? FaafoClientError)?.status == 404 }
            await #expect { _ = try await client.image(unknown) } throws: { ($0 as? FaafoClientError)?.status == 404 }
        }
    }

    /// What a worker does: render a stored task and PUT the result, then the image is served.
    @Test func aWorkersResultIsAcceptedOnce() async throws {
        try await Self.withAPI(["--workers", "0"]) { _, client in
            let task = CreateFractal(
                fractal: FractalRequest(
                    width: 40, height: 30, iterations: 50, xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: 42))
            let stored = try await client.create(task)
            let parameters = try stored.fractal.validated()
            let rendered = try RenderJob.run(parameters, threads: 1)
            let result = ResultUpload(
                duration: rendered.duration, checksum: rendered.checksum, size: rendered.size,
                image: rendered.png.base64EncodedString(), generatedBy: "cli-test",
                pixelChecksum: rendered.pixelChecksum)
            let completed = try await client.putResult(stored.uuid, result)
            #expect(completed.status == .completed && completed.checksum == rendered.checksum)
            #expect(completed.generatedBy == "cli-test" && completed.size == rendered.size)
            // The same result again is accepted and changes no result field (the API may
            // count it in `attempts`).
            var again = try await client.putResult(stored.uuid, result)
            again.attempts = completed.attempts
            #expect(again == completed)
            #expect(try await client.image(stored.uuid) == rendered.png)

            var tampered = result
            tampered.checksum = String(repeating: "0", count: 64)
            await #expect {
                _ = try await client.putResult(stored.uuid, tampered)
            } throws: { error in
                guard let error = error as? FaafoClientError else { return false }
                return error.isClientError && !error.message.isEmpty
            }
        }
    }

    @Test func theEndpointComesFromFlagThenEnvironmentThenConfigFile() async throws {
        try await Self.withAPI(["--workers", "0"]) { api, _ in
            let good = api.scratch.url.appending(path: "good.conf").path
            let bad = api.scratch.url.appending(path: "bad.conf").path
            try Data("[DEFAULT]\n# the API\nendpoint_url = \(api.endpoint)\n".utf8).write(to: URL(fileURLWithPath: good))
            try Data("[DEFAULT]\nendpoint_url = http://127.0.0.1:1\n".utf8).write(to: URL(fileURLWithPath: bad))

            let fromFile = try await FaafoProcess.run(["--config-file", good, "list"])
            #expect(fromFile.status == 0, "\(fromFile.stderr)")
            let fromEnvironment = try await FaafoProcess.run(
                ["--config-file", bad, "list"], environment: ["FAAFO_ENDPOINT_URL": api.endpoint])
            #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
            let fromFlag = try await FaafoProcess.run(
                ["--config-file", good, "--endpoint-url", "http://127.0.0.1:1", "list"],
                environment: ["FAAFO_ENDPOINT_URL": api.endpoint])
            #expect(fromFlag.status == 1)
            #expect(fromFlag.stderr == "faafo: error: cannot connect to http://127.0.0.1:1: connection refused\n")
            let namedByEnvironment = try await FaafoProcess.run(["list"], environment: ["FAAFO_CONFIG_FILE": good])
            #expect(namedByEnvironment.status == 0, "\(namedByEnvironment.stderr)")
        }
    }

    @Test func configurationMistakesAreUsageErrors() async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let malformed = scratch.url.appending(path: "faafo.conf").path
        try Data("[DEFAULT]\nendpoint_url http://localhost:8080\n".utf8).write(to: URL(fileURLWithPath: malformed))
        let result = try await FaafoProcess.run(["--config-file", malformed, "list"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "faafo: error: \(malformed):2: malformed line 'endpoint_url http://localhost:8080': "
                + "a key has no spaces: expected 'key = value'\n")

        let missing = scratch.url.appending(path: "absent.conf").path
        let absent = try await FaafoProcess.run(["--config-file", missing, "list"])
        #expect(absent.status == 2 && absent.stderr == "faafo: error: config file \(missing) does not exist\n")

        let badScheme = try await FaafoProcess.run(["list"], environment: ["FAAFO_ENDPOINT_URL": "ftp://h", "FAAFO_CONFIG_FILE": ""])
        #expect(badScheme.status == 2, "\(badScheme.stderr)")
        #expect(badScheme.stderr.contains("invalid endpoint_url 'ftp://h' (from FAAFO_ENDPOINT_URL)"), "\(badScheme.stderr)")
    }

    @Test func anUnreachableAPIIsOneLineNamingIt() async throws {
        let result = try await FaafoProcess.run(["--endpoint-url", "http://127.0.0.1:1", "--config-file", "/dev/null", "show",
            "154c7b41-108e-4696-a059-1bde9bf03d0a"])
        #expect(result.status == 1)
        #expect(result.stderr == "faafo: error: cannot connect to http://127.0.0.1:1: connection refused\n")
    }
}
