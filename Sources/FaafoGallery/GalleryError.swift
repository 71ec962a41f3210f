import Hummingbird

/// A gallery request that cannot be answered with the page asked for: the status, and a
/// heading and sentence for the person who asked.
struct GalleryError: Error, Sendable {
    let status: HTTPResponse.Status
    let heading: String
    let message: String

    static func notFound(_ message: String) -> GalleryError {
        GalleryError(status: .notFound, heading: "Not found", message: message)
    }

    var page: GalleryPages.Failure {
        GalleryPages.Failure(title: heading, heading: heading, message: message)
    }
}

/// Answers every error of a gallery route with an HTML page a person can read: its own
/// errors with their status, a failing catalog with 503 (logged), Hummingbird's own
/// errors (a body too large, say) with theirs.
struct HTMLErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let failure: GalleryError
        do {
            return try await next(request, context)
        } catch let error as GalleryError {
            failure = error
        } catch let error as HTTPError {
            failure = GalleryError(
                status: error.status, heading: error.status.reasonPhrase,
                message: error.body ?? "The request could not be answered (\(error.status.code)).")
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            failure = GalleryError(
                status: .serviceUnavailable, heading: "Fractals unavailable",
                message: "The fractals cannot be read right now: \(error)")
        }
        return GalleryPages.response(failure.page, template: "error", status: failure.status)
    }
}
