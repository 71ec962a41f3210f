import Crypto
import FaafoAPI
import FaafoWire
import Foundation
import FractalStore
import Hummingbird
import HummingbirdTesting
import Testing
import WorkQueue

@Suite struct FractalRoutesTests {
    @Test func createStoresThenQueuesTheTask() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask))
            #expect(response.status == .created)
            let object = try decode(FractalObject.self, response)
            #expect(object.status == .pending && object.fractal.width == 64 && object.fractal.seed == 42)
            #expect(object.fractal.cx == 0.3992652157350287 || object.fractal.iterations != 255)
            #expect(object.checksum == nil && object.duration == nil && object.attempts == 0)

            let consumer = try await harness.queue.makeConsumer(prefetch: 1)
            let delivery = try #require(try await consumer.next())
            let task = try JSONDecoder().decode(TaskMessage.self, from: delivery.body)
            #expect(task.uuid == object.uuid && task.fractal.width == 64 && task.fractal.seed == 42 && task.fractal.cx == object.fractal.cx)
            #expect(delivery.messageID == object.uuid)
            try await consumer.ack(delivery)
            await consumer.close()
        }
    }

    @Test func theSameUUIDTwiceIsStoredAndQueuedOnce() async throws {
        let harness = APIHarness()
        var withUUID = smallTask
        withUUID.uuid = "9b1d1f5c-6a53-4a0e-9a6e-6f1f7f0b1c2d"
        let task = withUUID
        try await harness.test { client in
            let first = try await client.execute(uri: "/v1/fractal", method: .post, body: try json(task))
            #expect(first.status == .created)
            let again = try await client.execute(uri: "/v1/fractal", method: .post, body: try json(task))
            #expect(again.status == .ok)
            #expect(try decode(FractalObject.self, again) == decode(FractalObject.self, first))
            #expect(harness.queue.readyCount == 1)

            var other = task
            other.fractal.iterations = 101
            let conflict = try await client.execute(uri: "/v1/fractal", method: .post, body: try json(other))
            #expect(conflict.status == .conflict)
            #expect(try message(conflict).contains(task.uuid!))
        }
    }

    struct BadCreate: Sendable, CustomTestStringConvertible {
        let label: String
        let body: String
        let status: HTTPResponse.Status
        let mentions: String
        var testDescription: String { label }
    }

    static let base = #""width": 64, "height": 48, "iterations": 100, "xa": -2, "xb": 2, "ya": -1.5, "yb": 1.5"#

    static let badCreates: [BadCreate] = [
        BadCreate(label: "not JSON", body: "{width: 3", status: .badRequest, mentions: "not valid JSON"),
        BadCreate(label: "missing width", body: #"{"height": 48, "iterations": 100, "xa": -2, "xb": 2, "ya": -1, "yb": 1}"#, status: .badRequest, mentions: "width"),
        BadCreate(label: "width as a string", body: "{" + base.replacingOccurrences(of: #""width": 64"#, with: #""width": "wide""#) + "}", status: .badRequest, mentions: "width"),
        BadCreate(label: "fractional width", body: "{" + base.replacingOccurrences(of: #""width": 64"#, with: #""width": 64.5"#) + "}", status: .badRequest, mentions: "width"),
        BadCreate(label: "one-pixel width", body: "{" + base.replacingOccurrences(of: #""width": 64"#, with: #""width": 1"#) + "}", status: .badRequest, mentions: "width"),
        BadCreate(label: "null height", body: "{" + base.replacingOccurrences(of: #""height": 48"#, with: #""height": null"#) + "}", status: .badRequest, mentions: "height"),
        BadCreate(label: "equal x bounds", body: "{" + base.replacingOccurrences(of: #""xb": 2"#, with: #""xb": -2"#) + "}", status: .badRequest, mentions: "xb"),
        BadCreate(label: "over the work budget", body: #"{"width": 16384, "height": 16384, "iterations": 100000, "xa": -2, "xb": 2, "ya": -1, "yb": 1}"#, status: .badRequest, mentions: "work budget"),
        BadCreate(label: "negative seed", body: "{" + base + #", "seed": -1}"#, status: .badRequest, mentions: "seed"),
        BadCreate(label: "cx without cy", body: "{" + base + #", "cx": 0.1}"#, status: .badRequest, mentions: "cy"),
        BadCreate(label: "malformed uuid", body: "{" + base + #", "uuid": "not-a-uuid"}"#, status: .badRequest, mentions: "uuid"),
        BadCreate(label: "a JSON array", body: "[1, 2]", status: .badRequest, mentions: "JSON object"),
        BadCreate(label: "oversized body", body: "{" + base + #", "padding": ""# + String(repeating: "x", count: 70_000) + #""}"#, status: .contentTooLarge, mentions: "larger"),
    ]

    @Test(arguments: badCreates)
    func badCreatesAre4xxWithAMessageAndStoreNothing(_ bad: BadCreate) async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/fractal", method: .post, body: json(bad.body))
            #expect(response.status == bad.status)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try message(response).contains(bad.mentions), "\(String(buffer: response.body))")
            let page = try await harness.store.page(1, perPage: 10)
            #expect(page.total == 0)
            #expect(harness.queue.readyCount == 0)
        }
    }

    @Test func getShowsAFractalAndNamesUnknownAndMalformedOnes() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let created = try decode(
                FractalObject.self, try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask)))
            let fetched = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .get)
            #expect(fetched.status == .ok)
            #expect(try decode(FractalObject.self, fetched) == created)
            let upper = try await client.execute(uri: "/v1/fractal/\(created.uuid.uppercased())", method: .get)
            #expect(upper.status == .ok)

            let unknown = try await client.execute(uri: "/v1/fractal/1b4e28ba-2fa1-11d2-883f-0016d3cca427", method: .get)
            #expect(unknown.status == .notFound)
            #expect(try message(unknown).contains("1b4e28ba-2fa1-11d2-883f-0016d3cca427"))
            let malformed = try await client.execute(uri: "/v1/fractal/12345", method: .get)
            #expect(malformed.status == .badRequest)
            let noRoute = try await client.execute(uri: "/v2/nothing", method: .get)
            #expect(noRoute.status == .notFound)
            #expect(noRoute.headers[.contentType] == "application/json")
        }
    }

    /// As Flask answered the original's clients: a path with other methods is a 405 that
    /// lists them, and HEAD is served wherever GET is.
    @Test func aMethodAPathDoesNotHaveIs405WithTheOnesItHas() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let created = try decode(
                FractalObject.self, try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask)))
            let trace = try await client.execute(uri: "/v1/fractal", method: .trace)
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.headers[.allow] == "GET, HEAD, POST")
            #expect(try message(trace) == "TRACE is not allowed on /v1/fractal (allowed: GET, HEAD, POST)")
            let post = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .post, body: try json(smallTask))
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers[.allow] == "DELETE, GET, HEAD, PUT")
            #expect(try await client.execute(uri: "/healthz", method: .delete).headers[.allow] == "GET, HEAD")

            let head = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .head)
            #expect(head.status == .ok && head.headers[.contentType] == "application/json")
            #expect(head.body.readableBytes == 0)
            #expect(try await client.execute(uri: "/v2/nothing", method: .trace).status == .notFound)
            // Nothing was created or deleted by the refused requests.
            let page = try decode(FractalPage.self, try await client.execute(uri: "/v1/fractal", method: .get))
            #expect(page.objects.map(\.uuid) == [created.uuid])
        }
    }

    @Test func listPagesInFlaskRestlessShape() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            var uuids: [String] = []
            for _ in 0..<12 {
                let response = try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask))
                uuids.append(try decode(FractalObject.self, response).uuid)
            }
            let first = try decode(FractalPage.self, try await client.execute(uri: "/v1/fractal", method: .get))
            #expect(first.numResults == 12 && first.page == 1 && first.totalPages == 2 && first.objects.count == 10)
            let second = try decode(FractalPage.self, try await client.execute(uri: "/v1/fractal?page=2", method: .get))
            #expect(second.objects.count == 2)
            #expect((first.objects + second.objects).map(\.uuid) == uuids)
            let five = try decode(
                FractalPage.self, try await client.execute(uri: "/v1/fractal?page=3&results_per_page=5", method: .get))
            #expect(five.objects.count == 2 && five.totalPages == 3)
            let past = try decode(FractalPage.self, try await client.execute(uri: "/v1/fractal?page=9", method: .get))
            #expect(past.objects.isEmpty && past.numResults == 12)

            let raw = try await client.execute(uri: "/v1/fractal?page=1", method: .get)
            let keys = try #require(try JSONSerialization.jsonObject(with: Data(buffer: raw.body)) as? [String: Any]).keys
            #expect(Set(keys) == ["num_results", "objects", "page", "total_pages"])

            for bad in ["page=abc", "page=0", "results_per_page=0", "results_per_page=x"] {
                let response = try await client.execute(uri: "/v1/fractal?\(bad)", method: .get)
                #expect(response.status == .badRequest, "\(bad)")
            }
            // schemathesis found this one: a number too large for an integer is named so.
            let huge = try await client.execute(uri: "/v1/fractal?page=2344835003434636148736", method: .get)
            #expect(huge.status == .badRequest)
            #expect(try message(huge) == "page must be from \(Int.min) to \(Int.max), got '2344835003434636148736'")
        }
    }

    @Test func aResultCompletesTheFractalAndServesItsImage() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let created = try decode(
                FractalObject.self, try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask)))
            let pending = try await client.execute(uri: "/fractal/\(created.uuid)", method: .get)
            #expect(pending.status == .notFound)

            let result = try upload(for: created)
            let put = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .put, body: try json(result))
            #expect(put.status == .ok, "\(String(buffer: put.body))")
            let completed = try decode(FractalObject.self, put)
            #expect(completed.status == .completed && completed.checksum == result.checksum)
            #expect(completed.size == result.size && completed.generatedBy == "test-worker" && completed.attempts == 1)
            #expect(completed.pixelChecksum == result.pixelChecksum && completed.completedAt != nil)
            #expect(completed.url == "/fractal/\(created.uuid)")

            let image = try await client.execute(uri: "/fractal/\(created.uuid)", method: .get)
            #expect(image.status == .ok && image.headers[.contentType] == "image/png")
            #expect(Data(buffer: image.body) == Data(base64Encoded: result.image))

            let again = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .put, body: try json(result))
            #expect(again.status == .ok)
            let twice = try decode(FractalObject.self, again)
            #expect(twice == completed, "a second identical result changes nothing")
        }
    }

    @Test func aDifferentChecksumForACompletedFractalIsAConflict() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let created = try decode(
                FractalObject.self, try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask)))
            let good = try upload(for: created)
            _ = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .put, body: try json(good))
            // A valid PNG of the same size, but of other pixels: a worker that rendered wrongly.
            var other = created
            other.fractal.cx = 0.1
            other.fractal.cy = 0.2
            let wrong = try upload(for: other, generatedBy: "broken-worker")
            let response = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .put, body: try json(wrong))
            #expect(response.status == .conflict)
            #expect(try message(response).contains(good.checksum))
            let stored = try #require(try await harness.store.fetch(created.uuid))
            #expect(stored.checksum == good.checksum && stored.generatedBy == "test-worker")
        }
    }

    @Test func resultsThatDoNotCheckOutAreRefused() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let created = try decode(
                FractalObject.self, try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask)))
            let good = try upload(for: created)
            // Malformed or for another fractal: 400. Bytes that contradict their own
            // checksums, or cannot be decoded whole: 422, for the worker to render again.
            var cases: [(String, ResultUpload, HTTPResponse.Status, String)] = []
            var bad = good
            bad.image = "***"
            cases.append(("bad base64", bad, .badRequest, "base64"))
            bad = good
            bad.size += 1
            cases.append(("wrong size", bad, .unprocessableContent, "size"))
            bad = good
            bad.checksum = String(repeating: "a", count: 64)
            cases.append(("wrong checksum", bad, .unprocessableContent, "checksum"))
            bad = good
            bad.checksum = "abc"
            cases.append(("malformed checksum", bad, .badRequest, "checksum"))
            bad = good
            bad.generatedBy = ""
            cases.append(("no worker name", bad, .badRequest, "generated_by"))
            bad = good
            bad.duration = -1
            cases.append(("negative duration", bad, .badRequest, "duration"))
            var otherSize = created
            otherSize.fractal.width = 32
            cases.append(("image of another size", try upload(for: otherSize), .badRequest, "32x48"))
            let notPNG = Data("hello".utf8)
            bad = good
            bad.image = notPNG.base64EncodedString()
            bad.size = notPNG.count
            bad.checksum = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
            cases.append(("not a PNG", bad, .unprocessableContent, "PNG"))
            bad = good
            bad.pixelChecksum = String(repeating: "b", count: 64)
            cases.append(("a pixel checksum that is not the pixels'", bad, .unprocessableContent, "pixel_checksum"))
            // One bit flipped in the compressed pixels, the SHA-256 made anew to match: only
            // decoding the image finds it (the IDAT chunk's CRC, or zlib's checksum).
            var flipped = try #require(Data(base64Encoded: good.image))
            flipped[flipped.count - 20] ^= 0x10
            bad = good
            bad.image = flipped.base64EncodedString()
            bad.checksum = SHA256.hash(data: flipped).map { String(format: "%02x", $0) }.joined()
            cases.append(("a bit flipped in the image data", bad, .unprocessableContent, "decoded"))

            for (label, upload, status, mentions) in cases {
                let response = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .put, body: try json(upload))
                #expect(response.status == status, "\(label)")
                #expect(try message(response).contains(mentions), "\(label): \(String(buffer: response.body))")
            }
            let missing = try await client.execute(
                uri: "/v1/fractal/\(created.uuid)", method: .put, body: json(#"{"duration": 1}"#))
            #expect(missing.status == .badRequest)
            let unknown = try await client.execute(
                uri: "/v1/fractal/1b4e28ba-2fa1-11d2-883f-0016d3cca427", method: .put, body: try json(good))
            #expect(unknown.status == .notFound)
            let stored = try #require(try await harness.store.fetch(created.uuid))
            #expect(stored.status == .pending && stored.attempts == 0)
        }
    }

    @Test func deleteRemovesTheFractalAndItsImage() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let created = try decode(
                FractalObject.self, try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask)))
            _ = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .put, body: try json(upload(for: created)))
            let deleted = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .delete)
            #expect(deleted.status == .noContent)
            #expect(try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/fractal/\(created.uuid)", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .delete).status == .notFound)
        }
    }
}
