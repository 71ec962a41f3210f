import FaafoController
import FaafoWire
import Foundation
import Hummingbird

/// The HTTP API of docs/wire-contract.md over a `FractalService`, and its OpenAPI document.
struct FractalRoutes<Context: RequestContext> {
    let service: FractalService
    /// The largest create request accepted.
    let createLimit = 64 * 1024
    /// The largest result upload accepted (a base64 PNG).
    let resultLimit: Int
    /// The tokens the writing routes ask for; `.open` asks none.
    let credentials: WriteCredentials
    let defaultResultsPerPage = 10

    func add(to router: Router<Context>) {
        // Each write checks its token before it reads the body, so a refused one changes nothing.
        router.post("/v1/fractal") { request, _ in
            try credentials.authorize(request, as: .create)
            return try await create(request)
        }
        router.get("/v1/fractal") { request, _ in try await list(request) }
        router.get("/v1/fractal/:uuid") { _, context in
            try JSONBody.response(try await service.fractal(context.parameters.require("uuid")))
        }
        router.put("/v1/fractal/:uuid") { request, context in
            try credentials.authorize(request, as: .worker)
            let upload = try await JSONBody.decode(ResultUpload.self, from: request, limit: resultLimit)
            return try JSONBody.response(try await service.submitResult(context.parameters.require("uuid"), upload))
        }
        router.put("/v1/fractal/:uuid/failure") { request, context in
            try credentials.authorize(request, as: .worker)
            let failure = try await JSONBody.decode(TaskFailure.self, from: request, limit: createLimit)
            return try JSONBody.response(try await service.reportFailure(context.parameters.require("uuid"), failure))
        }
        router.delete("/v1/fractal/:uuid") { request, context in
            try credentials.authorize(request, as: .operator)
            try await service.delete(context.parameters.require("uuid"))
            return Response(status: .noContent)
        }
        router.get("/fractal/:uuid") { _, context in
            // Sent as it arrives from the store: an image in Swift is never held whole here.
            let png = try await service.imageChunks(context.parameters.require("uuid"))
            return Response(
                status: .ok, headers: [.contentType: "image/png"],
                body: ResponseBody(contentLength: png.length) { writer in
                    try await png.forEachChunk { try await writer.write(ByteBuffer(bytes: $0)) }
                    try await writer.finish(nil)
                })
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: OpenAPIDocument.buffer))
        }
    }

    func create(_ request: Request) async throws -> Response {
        let body = try await JSONBody.decode(CreateFractal.self, from: request, limit: createLimit)
        switch try await service.create(body) {
        case .created(let object): return try JSONBody.response(object, status: .created)
        case .existing(let object): return try JSONBody.response(object, status: .ok)
        }
    }

    func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        func integer(_ name: String, default value: Int) throws -> Int {
            guard let text = query[Substring(name)] else { return value }
            if let number = Int(text) { return number }
            let digits = text.drop { $0 == "-" || $0 == "+" }
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
                throw APIError(.badRequest, "\(name) must be an integer, got '\(text)'")
            }
            throw APIError(.badRequest, "\(name) must be from \(Int.min) to \(Int.max), got '\(text)'")
        }
        let page = try integer("page", default: 1)
        let perPage = try integer("results_per_page", default: defaultResultsPerPage)
        return try JSONBody.response(try await service.page(page, perPage: perPage))
    }
}
