import FaafoAPI
import FaafoWire
import Foundation
import FractalJob
import FractalPNG
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FaafoGallery

@Suite struct GalleryPageTests {
    /// The response is a well-formed HTML page with this status.
    static func expectPage(_ response: TestResponse, _ status: HTTPResponse.Status = .ok, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "text/html; charset=utf-8", sourceLocation: sourceLocation)
        #expect(HTMLStructure.problems(response.text) == [], sourceLocation: sourceLocation)
    }

    @Test func anEmptyGallerySaysSoAndOffersTheForm() async throws {
        try await GalleryHarness().test { client in
            let response = try await client.execute(uri: "/", method: .get)
            Self.expectPage(response)
            #expect(response.text.contains("No fractals yet"))
            #expect(response.text.contains(#"<form class="create" method="post" action="/fractals">"#))
            #expect(!response.text.contains("pagination") && !response.text.contains("http-equiv=\"refresh\""))
            #expect(response.text.contains(#"<link rel="stylesheet" href="/gallery.css">"#))
        }
    }

    @Test func theGalleryShowsFiveAPageWithTheOriginalTableAndPagination() async throws {
        let harness = GalleryHarness()
        let objects = try await harness.create(7, width: 320, height: 240)
        var done: [FractalObject] = []
        for object in objects.prefix(6) { done.append(try await harness.complete(object)) }
        let completed = done
        try await harness.test { client in
            let first = try await client.execute(uri: "/", method: .get)
            Self.expectPage(first)
            let page = first.text
            #expect(occurrences(of: "<article class=\"fractal", in: page) == 5)
            for object in completed.prefix(5) {
                let duration = try #require(object.duration)
                let size = try #require(object.size)
                let checksum = try #require(object.checksum)
                #expect(page.contains(#"<a href="/fractal/\#(object.uuid)"><img class="thumbnail" src="/fractals/\#(object.uuid)/thumbnail.png" width="160" height="120""#))
                #expect(page.contains(#"<a href="/fractals/\#(object.uuid)"><span class="line">\#(object.uuid)</span></a>"#))
                #expect(page.contains(String(format: "%.6f seconds", duration)))
                #expect(page.contains("<span class=\"line\">\(size) bytes</span>"))
                #expect(page.contains(checksum))
                #expect(page.contains("xa = \(object.fractal.xa)") && page.contains("yb = \(object.fractal.yb)"))
                #expect(page.contains("<span class=\"line\">\(object.fractal.iterations)</span>"))
            }
            #expect(occurrences(of: "320 x 240 pixels", in: page) == 5)
            #expect(occurrences(of: "gallery-test", in: page) == 5)
            #expect(!page.contains(completed[5].uuid), "the sixth is on page 2")
            #expect(occurrences(of: #"<a href="/index/2" rel="next">"#, in: page) == 2, "above and below")
            #expect(!page.contains("rel=\"prev\"") && !page.contains("http-equiv=\"refresh\""))
            #expect(page.contains("7 fractals, page 1 of 2."))

            #expect(try await client.execute(uri: "/index", method: .get).text == page)
            #expect(try await client.execute(uri: "/index/1", method: .get).text == page)

            let second = try await client.execute(uri: "/index/2", method: .get)
            Self.expectPage(second)
            #expect(occurrences(of: "<article class=\"fractal", in: second.text) == 2)
            #expect(second.text.contains(#"<article class="fractal pending" id="fractal-\#(objects[6].uuid)">"#))
            #expect(second.text.contains(#"<a class="placeholder" href="/fractals/\#(objects[6].uuid)">pending</a>"#))
            #expect(occurrences(of: #"<a href="/index/1" rel="prev">"#, in: second.text) == 2)
            #expect(second.text.contains(#"<meta http-equiv="refresh" content="3">"#), "reloads while a task is pending")
        }
    }

    @Test func unknownPagesAndFractalsAre404PagesThatSayWhy() async throws {
        let harness = GalleryHarness()
        let pending = try await harness.create(1)[0]
        try await harness.test { client in
            let cases = [
                ("/index/2", "There is no page 2: the gallery has 1 page."),
                ("/index/0", "There is no page “0”."),
                ("/index/two", "There is no page “two”."),
                ("/index/99999999999999999999999", "There is no page"),
                ("/fractals/6f1c2b1e-0000-4000-8000-000000000000", "There is no fractal 6f1c2b1e-0000-4000-8000-000000000000."),
                ("/fractals/6F1C2B1E-0000-4000-8000-000000000000/thumbnail.png", "There is no fractal 6f1c2b1e"),
                ("/fractals/not-a-uuid", "“not-a-uuid” is not a fractal’s uuid."),
                ("/fractals/\(pending.uuid)/thumbnail.png", "has no image yet: it is pending"),
            ]
            for (uri, message) in cases {
                let response = try await client.execute(uri: uri, method: .get)
                Self.expectPage(response, .notFound)
                #expect(response.text.contains("<h1>Not found</h1>"), "\(uri)")
                #expect(response.text.contains(message), "\(uri)")
            }
        }
    }

    @Test func aFractalsPageShowsEverythingStored() async throws {
        let harness = GalleryHarness()
        let objects = try await harness.create(2, width: 200, height: 100)
        let done = try await harness.complete(objects[0], generatedBy: "worker-7")
        try await harness.test { client in
            let response = try await client.execute(uri: "/fractals/\(done.uuid.uppercased())", method: .get)
            Self.expectPage(response)
            let page = response.text
            #expect(page.contains(#"<img src="/fractal/\#(done.uuid)" width="200" height="100""#))
            let cx = try #require(done.fractal.cx), cy = try #require(done.fractal.cy), seed = try #require(done.fractal.seed)
            let checksum = try #require(done.checksum), pixelChecksum = try #require(done.pixelChecksum)
            let completedAt = try #require(done.completedAt), size = try #require(done.size)
            for value in [
                "cx = \(cx)", "cy = \(cy)", "\(seed)", checksum, pixelChecksum, "worker-7", done.createdAt, completedAt,
                "xa = \(done.fractal.xa)", "200 x 100 pixels", "\(size) bytes",
            ] {
                #expect(page.contains(value), "\(value)")
            }
            #expect(page.contains(#"<tr><th scope="row">Attempts</th><td><span class="line">1</span></td></tr>"#))
            #expect(page.contains(#"<span class="status completed">completed</span>"#))
            #expect(!page.contains("http-equiv=\"refresh\""))

            let pending = try await client.execute(uri: "/fractals/\(objects[1].uuid)", method: .get)
            Self.expectPage(pending)
            #expect(pending.text.contains(#"<span class="status pending">pending</span>"#))
            #expect(pending.text.contains(#"<meta http-equiv="refresh" content="3">"#))
            #expect(!pending.text.contains("<img"))
            #expect(pending.text.contains(#"<tr><th scope="row">Checksum</th><td class="code"><span class="line">–</span></td></tr>"#))
        }
    }

    /// A result of the original faafo worker (no pixel checksum) is shown as it is, and
    /// says that the render contract did not make it.
    @Test func aResultOfTheOriginalWorkerSaysItIsOutsideTheContract() async throws {
        let harness = GalleryHarness()
        let object = try await harness.create(1)[0]
        let rendered = try RenderJob.run(GalleryHarness.parameters(of: object), threads: 1)
        let upload = ResultUpload(
            duration: rendered.duration, checksum: rendered.checksum, size: rendered.size,
            image: rendered.png.base64EncodedString(), generatedBy: "original-host", pixelChecksum: nil)
        _ = try await harness.service.submitResult(object.uuid, upload)
        try await harness.test { client in
            let page = try await client.execute(uri: "/fractals/\(object.uuid)", method: .get)
            Self.expectPage(page)
            #expect(page.text.contains("none: not made by the render contract"), "\(page.text)")
            #expect(page.text.contains(rendered.checksum) && page.text.contains("original-host"))
        }
    }

    /// A fractal a worker gave up shows as failed, with the worker's reason, in the
    /// gallery and on its own page, and neither reloads itself waiting for it.
    @Test func aFailedFractalShowsItsReasonAndStopsTheReloading() async throws {
        let harness = GalleryHarness()
        let objects = try await harness.create(1)
        _ = try await harness.service.reportFailure(
            objects[0].uuid, TaskFailure(reason: "cannot render: <out of memory>", generatedBy: "worker-3"))
        try await harness.test { client in
            let gallery = try await client.execute(uri: "/", method: .get)
            Self.expectPage(gallery)
            #expect(gallery.text.contains(#"<article class="fractal failed""#))
            #expect(gallery.text.contains("cannot render: &lt;out of memory&gt;"))
            #expect(!gallery.text.contains("http-equiv=\"refresh\""))

            let page = try await client.execute(uri: "/fractals/\(objects[0].uuid)", method: .get)
            Self.expectPage(page)
            #expect(page.text.contains(#"<span class="status failed">failed</span>"#))
            #expect(page.text.contains(#"<tr><th scope="row">Failure</th><td><span class="line">cannot render: &lt;out of memory&gt;</span></td></tr>"#))
            #expect(page.text.contains("worker-3"))
            #expect(!page.text.contains("http-equiv=\"refresh\""))
            #expect(!page.text.contains("Waiting for a worker"))
        }
    }

    @Test func aThumbnailIsTheFractalRenderedSmallerAndIsCached() async throws {
        let harness = GalleryHarness()
        let object = try await harness.complete(try await harness.create(1, width: 400, height: 250)[0])
        let expected = try RenderJob.run(GalleryHarness.parameters(of: object, width: 160, height: 100), threads: 1)
        try await harness.test { client in
            let response = try await client.execute(uri: "/fractals/\(object.uuid)/thumbnail.png", method: .get)
            #expect(response.status == .ok && response.headers[.contentType] == "image/png")
            let png = Array(buffer: response.body)
            let header = try PNGHeader(reading: Data(png))
            #expect(header.width == 160 && header.height == 100)
            #expect(png == Array(expected.png), "the fractal's plane, c and iterations at 160 x 100")
            #expect(png.count < (object.size ?? 0))
            let again = try await client.execute(uri: "/fractals/\(object.uuid)/thumbnail.png", method: .get)
            #expect(Array(buffer: again.body) == png)
        }
    }

    @Test(arguments: [(400, 250, 160, 100), (100, 900, 18, 160), (64, 48, 64, 48), (16384, 2, 160, 2)])
    func thumbnailsFitTheBoxAndKeepTheirShape(_ width: Int, _ height: Int, _ thumbWidth: Int, _ thumbHeight: Int) {
        let size = Thumbnails.size(width: width, height: height)
        #expect(size.width == thumbWidth && size.height == thumbHeight)
    }

    @Test func storedTextIsEscaped() async throws {
        let harness = GalleryHarness()
        let object = try await harness.create(1)[0]
        let hostile = #"<script>alert("x")</script>&'"#
        try await harness.complete(object, generatedBy: hostile)
        try await harness.test { client in
            for uri in ["/", "/fractals/\(object.uuid)"] {
                let page = try await client.execute(uri: uri, method: .get).text
                #expect(!page.contains("<script>"), "\(uri)")
                #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"), "\(uri)")
            }
        }
    }

    @Test func theStylesheetIsServedByTheApp() async throws {
        try await GalleryHarness().test { client in
            let response = try await client.execute(uri: "/gallery.css", method: .get)
            #expect(response.status == .ok && response.headers[.contentType] == "text/css; charset=utf-8")
            #expect(response.text.contains("article.fractal") && response.text.contains("@media"))
        }
    }

    @Test func paginationShowsTheEndsAndTheNearbyPages() throws {
        let pagination = try #require(Pagination(page: 10, totalPages: 20))
        let shown = pagination.links.map { $0.gap ? "…" : $0.current ? "[\($0.number)]" : "\($0.number)" }
        #expect(shown == ["1", "…", "8", "9", "[10]", "11", "12", "…", "20"])
        #expect(pagination.previousURL == "/index/9" && pagination.nextURL == "/index/11")
        let first = try #require(Pagination(page: 1, totalPages: 3))
        #expect(first.links.map(\.number) == [1, 2, 3] && first.previousURL == nil)
        #expect(Pagination(page: 1, totalPages: 1) == nil)
    }
}
