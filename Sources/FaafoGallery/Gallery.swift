import FaafoWire
import Foundation
import Hummingbird

/// The web gallery of the original faafo, and more: five fractals a page with their
/// thumbnails and tables, each fractal's own page, and a form that creates fractals.
///
///     GET  /, /index, /index/<page>       the gallery
///     GET  /fractals/<uuid>               one fractal: its image and everything stored
///     GET  /fractals/<uuid>/thumbnail.png its thumbnail
///     GET  /fractals/new                  the form; POST /fractals creates
///     GET  /gallery.css                   the stylesheet
public struct Gallery: Sendable {
    /// Fractals on a gallery page, as in the original.
    public static let perPage = 5
    /// How often a page with pending fractals reloads itself.
    static let refreshSeconds = 3
    /// The largest form submission read.
    static let formLimit = 16 * 1024

    let catalog: any FractalCatalog
    let thumbnails: Thumbnails
    /// False when the API asks a token of creates (`create_token`): a browser's form
    /// cannot carry one, so the form would otherwise be a way around it.
    let acceptsCreates: Bool

    public init(catalog: any FractalCatalog, cachedThumbnails: Int = 512, acceptsCreates: Bool = true) {
        self.catalog = catalog
        self.thumbnails = Thumbnails(capacity: cachedThumbnails)
        self.acceptsCreates = acceptsCreates
    }

    /// Adds the gallery's routes to `router`; their errors are HTML pages.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let routes = router.group().add(middleware: HTMLErrorMiddleware<Context>())
        routes.get("/") { _, _ in try await index(page: 1) }
        routes.get("/index") { _, _ in try await index(page: 1) }
        routes.get("/index/:page") { _, context in
            let text = try context.parameters.require("page")
            guard let page = Int(text), page >= 1 else { throw GalleryError.notFound("There is no page “\(text)”.") }
            return try await index(page: page)
        }
        routes.get("/fractals/new") { _, _ in
            GalleryPages.response(GalleryPages.NewFractals(form: CreateForm()), template: "newFractals")
        }
        routes.post("/fractals") { request, _ in try await create(request) }
        routes.get("/fractals/:uuid") { _, context in
            let view = FractalView(try await fractal(context.parameters.require("uuid")))
            return GalleryPages.response(
                GalleryPages.Fractal(view, refreshSeconds: Self.refreshSeconds), template: "fractal")
        }
        routes.get("/fractals/:uuid/thumbnail.png") { _, context in
            try await thumbnail(context.parameters.require("uuid"))
        }
        routes.get("/gallery.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: GalleryStylesheet.css)))
        }
    }

    func index(page: Int) async throws -> Response {
        let result = try await catalog.page(page, perPage: Self.perPage)
        guard page == 1 || page <= result.totalPages else {
            throw GalleryError.notFound(
                "There is no page \(page): the gallery has \(result.totalPages) page\(result.totalPages == 1 ? "" : "s").")
        }
        let pending = result.objects.filter { $0.status == .pending }.count
        let summary =
            result.numResults == 0
            ? "No fractals stored."
            : "\(result.numResults) fractal\(result.numResults == 1 ? "" : "s"), page \(page) of \(result.totalPages)."
        let view = GalleryPages.Index(
            title: page == 1 ? "Fractals" : "Fractals, page \(page)",
            refreshSeconds: pending > 0 ? Self.refreshSeconds : nil, summary: summary,
            pagination: Pagination(page: page, totalPages: result.totalPages),
            fractals: result.objects.map(FractalView.init), form: CreateForm())
        return GalleryPages.response(view, template: "index")
    }

    /// Creates what the form asks for and sends the browser to the gallery page that shows
    /// the first new fractal; or shows the form again with what was wrong (400), or with
    /// the catalog's refusal (503, with its reason).
    func create(_ request: Request) async throws -> Response {
        guard acceptsCreates else {
            throw GalleryError(
                status: .forbidden, heading: "Creating is closed",
                message: "This API asks a create_token of new fractals: use faafo create --create-token.")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.formLimit)
        } catch {
            throw GalleryError(
                status: .contentTooLarge, heading: "Form too large",
                message: "The form sent is larger than \(Self.formLimit) bytes.")
        }
        var form: CreateForm
        do {
            form = try CreateForm(urlEncoded: String(buffer: body))
        } catch {
            throw GalleryError(status: .badRequest, heading: "Bad request", message: "The form could not be read: \(error)")
        }
        guard let requests = form.requests(limits: catalog.limits, seed: { catalog.newSeed() }) else {
            return GalleryPages.response(GalleryPages.NewFractals(form: form), template: "newFractals", status: .badRequest)
        }
        let before = try await catalog.page(1, perPage: Self.perPage).numResults
        for (index, request) in requests.enumerated() {
            do {
                _ = try await catalog.createFractal(request)
            } catch {
                form.failure = "Created \(index) of \(requests.count) fractals, then: \(error)"
                return GalleryPages.response(
                    GalleryPages.NewFractals(form: form), template: "newFractals", status: .serviceUnavailable)
            }
        }
        return Response.redirect(to: Pagination.url(before / Self.perPage + 1), type: .normal)
    }

    /// The stored fractal, or a 404 page that names the uuid.
    func fractal(_ text: String) async throws -> FractalObject {
        guard let uuid = FractalUUID.canonical(text) else {
            throw GalleryError.notFound("“\(text.prefix(64))” is not a fractal’s uuid.")
        }
        guard let object = try await catalog.fractal(uuid: uuid) else {
            throw GalleryError.notFound("There is no fractal \(uuid).")
        }
        return object
    }

    func thumbnail(_ text: String) async throws -> Response {
        let object = try await fractal(text)
        guard object.status == .completed else {
            throw GalleryError.notFound("Fractal \(object.uuid) has no image yet: it is \(object.status.rawValue).")
        }
        let png = try await thumbnails.png(of: object)
        return Response(
            status: .ok, headers: [.contentType: "image/png", .cacheControl: "max-age=3600"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: png)))
    }
}
