import FaafoAPI
import FaafoWire
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FaafoGallery

@Suite struct GalleryFormTests {
    static func post(_ client: some TestClientProtocol, _ form: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/fractals", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: form))
    }

    @Test func theFormCreatesFractalsAndLeadsToThePageThatShowsThem() async throws {
        let harness = GalleryHarness()
        try await harness.test { client in
            let blank = try await client.execute(uri: "/fractals/new", method: .get)
            GalleryPageTests.expectPage(blank)
            #expect(blank.text.contains(#"<input id="width" name="width" type="number" min="2" max="16384" value="640" required>"#))

            let first = try await Self.post(client, "count=3&width=64&height=48&iterations=50")
            #expect(first.status == .seeOther && first.headers[.location] == "/index/1")
            let created = try await harness.service.page(1, perPage: 100).objects
            #expect(created.count == 3)
            for object in created {
                #expect(object.fractal.width == 64 && object.fractal.height == 48 && object.fractal.iterations == 50 && object.status == .pending)
                #expect((-4 ... -1).contains(object.fractal.xa) && (1...4).contains(object.fractal.xb))
                #expect((-3 ... -0.5).contains(object.fractal.ya) && (0.5...3).contains(object.fractal.yb))
                #expect(object.fractal.seed != nil && object.fractal.cx != nil)
            }
            #expect(Set(created.map(\.fractal.xa)).count == 3, "each gets its own plane")

            let second = try await Self.post(client, "count=3&width=+70+&height=40&iterations=20")
            #expect(second.status == .seeOther && second.headers[.location] == "/index/1")
            let third = try await Self.post(client, "count=1&width=30&height=20&iterations=10")
            #expect(third.headers[.location] == "/index/2", "the 7th fractal is on page 2")
            let page2 = try await client.execute(uri: "/index/2", method: .get).text
            let seventh = try await harness.service.page(7, perPage: 1).objects[0]
            #expect(seventh.fractal.width == 30 && page2.contains(seventh.uuid))
        }
    }

    struct BadForm: Sendable, CustomTestStringConvertible {
        let form: String
        /// The message expected beside each field.
        let errors: [String: String]
        var testDescription: String { form }
    }

    static let badForms = [
        BadForm(
            form: "count=0&width=1&height=abc&iterations=",
            errors: [
                "count": "count must be between 1 and 10, got 0",
                "width": "width must be between 2 and 16384, got 1",
                "height": "height must be a whole number, got &#39;abc&#39;",
                "iterations": "iterations is missing",
            ]),
        BadForm(
            form: "count=11&width=64&height=48&iterations=100001",
            errors: [
                "count": "count must be between 1 and 10, got 11",
                "iterations": "iterations must be between 1 and 100000, got 100001",
            ]),
        BadForm(
            form: "count=1&width=16384&height=16384&iterations=100000",
            errors: ["iterations": "width × height × iterations is 26843545600000, over the work budget of 68719476736"]),
        BadForm(form: "width=64&height=48&iterations=5", errors: ["count": "count is missing"]),
    ]

    @Test(arguments: badForms)
    func refusedValuesAreShownBesideTheirFieldAndNothingIsStored(_ bad: BadForm) async throws {
        let harness = GalleryHarness()
        try await harness.test { client in
            let response = try await Self.post(client, bad.form)
            GalleryPageTests.expectPage(response, .badRequest)
            for name in ["count", "width", "height", "iterations"] {
                let marker = #"<span class="error" id="\#(name)-error">"#
                if let message = bad.errors[name] {
                    #expect(response.text.contains(marker + message + "</span>"), "\(name)")
                    #expect(response.text.contains(#"<div class="field invalid">\#n<label for="\#(name)">"#), "\(name)")
                } else {
                    #expect(!response.text.contains(marker), "\(name)")
                }
            }
            #expect(try await harness.service.page(1, perPage: 10).numResults == 0)
        }
    }

    @Test func anOversizedFormIsRefusedWithAPage() async throws {
        let harness = GalleryHarness()
        try await harness.test { client in
            let response = try await Self.post(client, "count=1&width=64&height=48&iterations=9&pad=" + String(repeating: "x", count: 20_000))
            GalleryPageTests.expectPage(response, .contentTooLarge)
            #expect(response.text.contains("The form sent is larger than 16384 bytes."))
            #expect(try await harness.service.page(1, perPage: 10).numResults == 0)
        }
    }

    @Test func whatWasTypedIsShownAgainEscaped() async throws {
        try await GalleryHarness().test { client in
            let response = try await Self.post(client, "count=2&width=%22%3E%3Cb%3E&height=48&iterations=9")
            GalleryPageTests.expectPage(response, .badRequest)
            #expect(response.text.contains(#"value="&quot;&gt;&lt;b&gt;""#))
            #expect(response.text.contains(#"id="count" name="count" type="number" min="1" max="10" value="2""#))
        }
    }
}
