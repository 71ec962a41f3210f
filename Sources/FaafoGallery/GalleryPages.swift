import Hummingbird
import Mustache

/// What each template is rendered with: one value type a page. Every page carries the
/// layout's `title` and `refreshSeconds` (nil: the page does not reload itself).
enum GalleryPages {
    struct Index: Sendable {
        let title: String
        let refreshSeconds: Int?
        let summary: String
        let pagination: Pagination?
        let fractals: [FractalView]
        let form: CreateForm
    }

    struct Fractal: Sendable {
        let title: String
        let refreshSeconds: Int?
        let uuid: String
        let status: String
        let completed: Bool
        let imageURL: String?
        let width: Int
        let height: Int
        let detailRows: [FractalView.Row]

        init(_ view: FractalView, refreshSeconds: Int?) {
            title = "Fractal \(view.uuid)"
            self.refreshSeconds = view.pending ? refreshSeconds : nil
            uuid = view.uuid
            status = view.status
            completed = view.completed
            imageURL = view.imageURL
            width = view.width
            height = view.height
            detailRows = view.detailRows
        }
    }

    struct NewFractals: Sendable {
        let title = "New fractals"
        let refreshSeconds: Int? = nil
        let form: CreateForm
    }

    struct Failure: Sendable {
        let title: String
        let refreshSeconds: Int? = nil
        let heading: String
        let message: String
    }

    /// `value` rendered with the template `name`, as an HTML response.
    static func response(_ value: Any, template name: String, status: HTTPResponse.Status = .ok) -> Response {
        guard let html = GalleryTemplates.library.render(value, withTemplate: name) else {
            preconditionFailure("no gallery template named '\(name)'")
        }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
