import FaafoAPI
import FaafoController
import FaafoTestKit
import FaafoWire
import FaafoWorker
import Foundation
import FractalPNG
import FractalStore
import Hummingbird
import ServiceLifecycle
import Testing
import WorkQueue

@testable import FaafoGallery

/// The gallery in a real browser: Debian's chromium, headless, against the API's router
/// served on a loopback port with in-process workers and stored fractals.
@Suite(.serialized, .tags(.browser), .needs(.browser)) struct GalleryBrowserTests {
    @Test func thumbnailsDecodePaginationLeadsOnAndTheFormCreatesATaskThatAppears() async throws {
        let chromium = try #require(Chromium.located, "no chromium was found")
        try await LoopbackGallery.serve { server in try await Self.drive(server, chromium) }
    }

    static func drive(_ server: LoopbackGallery, _ chromium: Chromium) async throws {
        let stored = try await server.storeCompleted(7, width: 320, height: 240)

        let dom = try await chromium.run(
            ["--virtual-time-budget=120000", "--dump-dom", server.url("/probe")], in: server.scratch)
        let report = try Self.report(fromDOM: dom)
        #expect(report.error == nil, "the probe failed: \(report.error ?? "")")

        let first = try #require(report.first)
        #expect(first.path == "/" && first.cards.map(\.uuid) == stored.prefix(5).map(\.uuid))
        let second = try #require(report.second, "the Next link led nowhere")
        #expect(second.path == "/index/2" && second.cards.map(\.uuid) == stored.suffix(2).map(\.uuid))
        for card in first.cards + second.cards {
            let thumbnail = try #require(card.thumbnail, "\(card.uuid) has no thumbnail")
            #expect(thumbnail.complete && thumbnail.naturalWidth > 0, "\(card.uuid)'s thumbnail did not decode")
            #expect(thumbnail.naturalWidth == 160 && thumbnail.naturalHeight == 120 && thumbnail.width == 160)
            #expect(thumbnail.link == "/fractal/\(card.uuid)", "links to the full image")
        }

        let afterCreate = try #require(report.afterCreate, "submitting the form loaded nothing")
        #expect(afterCreate.path == "/index/2", "the page that shows the 8th fractal")
        let created = try #require(report.created, "no new fractal appeared after submitting the form")
        let object = try #require(try await server.service.fractal(uuid: created))
        let form = BrowserProbe.form
        #expect([object.fractal.width, object.fractal.height, object.fractal.iterations] == [form["width"], form["height"], form["iterations"]])
        let completed = try #require(report.completed, "the new fractal never showed as completed: the page did not refresh")
        #expect(completed.thumbnail?.naturalWidth == 96, "a 96 x 64 fractal fits the box: its own size")

        try await Self.screenshot(server, chromium)
    }

    /// Takes a screenshot of the first gallery page and checks it is a PNG of the window's
    /// size; it goes to FAAFO_GALLERY_SCREENSHOT when set (docs/gallery.png is made so).
    static func screenshot(_ server: LoopbackGallery, _ chromium: Chromium) async throws {
        let destination = ProcessInfo.processInfo.environment["FAAFO_GALLERY_SCREENSHOT"].map {
            URL(fileURLWithPath: $0)
        }
        let file = server.scratch.appending(path: "gallery.png")
        _ = try await chromium.run(
            [
                "--window-size=1100,1400", "--virtual-time-budget=5000", "--screenshot=\(file.path)",
                server.url("/"),
            ], in: server.scratch)
        let png = try Data(contentsOf: file)
        let header = try PNGHeader(reading: png)
        #expect(header.width == 1100 && header.height == 1400)
        if let destination {
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.copyItem(at: file, to: destination)
        }
    }

    static func report(fromDOM dom: String) throws -> BrowserProbe.Report {
        let match = try #require(dom.firstMatch(of: /<pre id="result">([A-Za-z0-9+\/=]*)<\/pre>/), "no result in \(dom.prefix(500))")
        let json = try #require(Data(base64Encoded: String(match.1)), "the result is not base64: \(match.1.prefix(200))")
        return try JSONDecoder().decode(BrowserProbe.Report.self, from: json)
    }
}

/// The API's router, plus the probe's routes, on a free port of 127.0.0.1, with two
/// in-process workers over the in-memory queue.
final class LoopbackGallery: Sendable {
    let service: FractalService
    let port: Int
    let scratch: URL

    private init(service: FractalService, port: Int, scratch: URL) {
        self.service = service
        self.port = port
        self.scratch = scratch
    }

    /// Runs `body` against a gallery served until it returns; then shuts the server and
    /// its workers down gracefully and removes the scratch folder.
    static func serve(_ body: (LoopbackGallery) async throws -> Void) async throws {
        let queue = InMemoryWorkQueue()
        let service = FractalService(store: MemoryFractalStore(), queue: queue)
        let router = buildRouter(service: service)
        router.get("/probe") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: BrowserProbe.page)))
        }
        router.get("/probe/wait") { _, _ -> HTTPResponse.Status in
            try await Task.sleep(for: .milliseconds(100))
            return .noContent
        }
        let workers = (1...2).map { index in
            FractalWorker(
                queue: queue, sink: ServiceResultSink(service: service),
                configuration: WorkerConfiguration(concurrency: 1, renderThreads: 1, name: "browser-test-\(index)"))
        }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), services: workers,
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            })
        let group = ServiceGroup(configuration: .init(services: [app], logger: app.logger))
        let running = Task {
            defer { portSink.finish() }
            try await group.run()
        }
        let scratch = FileManager.default.temporaryDirectory.appending(path: "faafo-gallery-\(UUID().uuidString)")
        var failure: (any Error)?
        do {
            guard let port = await ports.first(where: { _ in true }), port > 0 else {
                throw Failure("the gallery's server did not start")
            }
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            try await body(LoopbackGallery(service: service, port: port, scratch: scratch))
        } catch {
            failure = error
        }
        await group.triggerGracefulShutdown()
        _ = await running.result
        try? FileManager.default.removeItem(at: scratch)
        if let failure { throw failure }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Stores `count` fractals with the form's random planes and waits (at most 30 s)
    /// until the workers have completed them all.
    func storeCompleted(_ count: Int, width: Int, height: Int) async throws -> [FractalObject] {
        for index in 0..<count {
            let task = CreateForm.randomTask(
                width: width, height: height, iterations: 96 + 32 * index, seed: UInt64(index + 1))
            _ = try await service.createFractal(task)
        }
        for _ in 0..<600 {
            let page = try await service.page(1, perPage: count)
            if page.objects.count == count && page.objects.allSatisfy({ $0.status == .completed }) { return page.objects }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure("the workers did not complete \(count) fractals within 30 seconds")
    }
}
