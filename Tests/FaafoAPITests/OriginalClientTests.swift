import FaafoAPI
import FaafoWire
import Foundation
import FractalStore
import Hummingbird
import HummingbirdTesting
import Testing

/// What the original faafo's clients and worker send, and how Flask-Restless answered it.
@Suite struct OriginalClientTests {
    static let body = #"{"width": 64, "height": 48, "iterations": 100, "xa": -2, "xb": 2, "ya": -1.5, "yb": 1.5}"#

    @Test(arguments: ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.faafo+json"])
    func aJSONContentTypeIsAccepted(_ type: String) async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let response = try await client.execute(
                uri: "/v1/fractal", method: .post, headers: [.contentType: type], body: json(Self.body))
            #expect(response.status == .created, "\(type): \(String(buffer: response.body))")
        }
    }

    @Test func aMissingContentTypeIsReadAsJSON() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/fractal", method: .post, body: json(Self.body))
            #expect(response.status == .created)
        }
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "jsonish"])
    func aBodyOfAnotherTypeIs415AndChangesNothing(_ type: String) async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let create = try await client.execute(
                uri: "/v1/fractal", method: .post, headers: [.contentType: type], body: json(Self.body))
            #expect(create.status == .unsupportedMediaType)
            #expect(create.headers[.contentType] == "application/json")
            #expect(try message(create).contains(type), "\(String(buffer: create.body))")
            #expect(try await harness.store.page(1, perPage: 10).total == 0)
            #expect(harness.queue.readyCount == 0)

            let created = try decode(
                FractalObject.self, try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask)))
            let result = try await client.execute(
                uri: "/v1/fractal/\(created.uuid)", method: .put, headers: [.contentType: type],
                body: try json(upload(for: created)))
            #expect(result.status == .unsupportedMediaType)
            let failure = try await client.execute(
                uri: "/v1/fractal/\(created.uuid)/failure", method: .put, headers: [.contentType: type],
                body: json(#"{"reason": "cannot", "generated_by": "w"}"#))
            #expect(failure.status == .unsupportedMediaType)
            let stored = try #require(try await harness.store.fetch(created.uuid))
            #expect(stored.status == .pending && stored.attempts == 0)
        }
    }

    /// The original worker draws c at random, sends its own uuid in the body and no
    /// pixel_checksum: the image is stored as it is, and marked as outside the contract.
    @Test func theOriginalWorkersResultIsStoredAsItIs() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let created = try decode(
                FractalObject.self, try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask)))
            var randomC = created
            randomC.fractal.cx = -0.4
            randomC.fractal.cy = 0.6
            let rendered = try upload(for: randomC, generatedBy: "original-host")
            var body = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(rendered)) as? [String: Any])
            body["pixel_checksum"] = nil
            body["uuid"] = created.uuid
            let put = try await client.execute(
                uri: "/v1/fractal/\(created.uuid)", method: .put, headers: [.contentType: "application/json"],
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            #expect(put.status == .ok, "\(String(buffer: put.body))")
            let completed = try decode(FractalObject.self, put)
            #expect(completed.status == .completed && completed.checksum == rendered.checksum)
            #expect(completed.pixelChecksum == nil && completed.generatedBy == "original-host")
            #expect(completed.isOutsideRenderContract && !created.isOutsideRenderContract)
            let image = try await client.execute(uri: "/fractal/\(created.uuid)", method: .get)
            #expect(Data(buffer: image.body) == Data(base64Encoded: rendered.image))
        }
    }
}
