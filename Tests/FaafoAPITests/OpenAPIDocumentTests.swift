import FaafoAPI
import FaafoWire
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAPIKit
import Testing

/// The OpenAPI document served at `/openapi.json` and the router agree: the same paths
/// and methods, and requests built from the document get the statuses it documents.
@Suite struct OpenAPIDocumentTests {
    @Test func servedDocumentIsValidOpenAPI31() async throws {
        try await APIHarness().test { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let document = try JSONDecoder().decode(OpenAPI.Document.self, from: Data(buffer: response.body))
            #expect(document.openAPIVersion == .v3_1_0)
            try document.validate()
            // Every $ref points at something in the document.
            _ = try document.locallyDereferenced()
        }
    }

    /// What faafo-api serves is the repository's file, as written (the build compiles it in).
    @Test func servedDocumentIsTheRepositorysFile() async throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "Sources/FaafoAPI/openapi.json")
        let written = try String(contentsOf: file, encoding: .utf8)
        try await APIHarness().test { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(String(buffer: response.body) + "\n" == written)
        }
    }

    @Test func documentHasExactlyTheRoutesOfTheRouter() async throws {
        let document = try await Served.document()
        let routed = Set(buildRouter(service: APIHarness().service).routes.map { "\($0.method) \($0.path)" })
        let documented = Set(document.operations.map { "\($0.method.uppercased()) \($0.path)" })
        #expect(documented.subtracting(routed).sorted() == [], "documented but not routed")
        #expect(routed.subtracting(documented).sorted() == [], "routed but not documented")
    }

    /// Every operation, with its path parameters' examples and each of its request body's
    /// examples (none when it has no body), is answered by its route (not the router's
    /// answer for an unknown route) with a status and a media type that it documents.
    @Test func everyOperationAnswersAsDocumented() async throws {
        let document = try await Served.document()
        try await APIHarness().test { client in
            // What an unknown route gets, as the document's description says.
            let unknownRoute = try await client.execute(uri: "/no/such/route", method: .get)
            #expect(unknownRoute.status == .notFound && unknownRoute.headers[.contentType] == "application/json")
            #expect(try message(unknownRoute) == "Not Found")
            #expect(document.description.contains(#"answers 404 with `{"message": "Not Found"}`"#))

            for operation in document.operations {
                let bodies = operation.bodyExamples.isEmpty ? [nil] : operation.bodyExamples.map(Optional.some)
                for body in bodies {
                    let label = "\(operation.method.uppercased()) \(operation.path) \(body?.name ?? "")"
                    var headers = HTTPFields()
                    if let body { headers[.contentType] = body.mediaType }
                    let response = try await client.execute(
                        uri: operation.exampleURI, method: HTTPRequest.Method(rawValue: operation.method.uppercased())!,
                        headers: headers, body: body?.bytes)
                    #expect(
                        response.status != unknownRoute.status || response.body != unknownRoute.body,
                        "\(label) got the router's answer for an unknown route")
                    expectDocumented(response, operation, label)
                }
            }
        }
    }

    /// The requests of the issue, built from the document's examples, get the statuses it
    /// documents for them.
    @Test func exampleRequestsGetTheirDocumentedStatuses() async throws {
        let document = try await Served.document()
        let create = try #require(document.operation("/v1/fractal", "post"))
        let valid = try #require(create.bodyExamples.first { $0.name == "valid" })
        let outOfRange = try #require(create.bodyExamples.first { $0.name == "outOfRange" })
        let uuidExample = try #require(document.operation("/v1/fractal/{uuid}", "get")?.exampleURI)

        try await APIHarness().test { client in
            func send(
                _ path: String, _ method: String, uri: String, body: ByteBuffer? = nil,
                contentType: String = "application/json", expect status: HTTPResponse.Status
            ) async throws -> TestResponse {
                let operation = try #require(document.operation(path, method))
                let response = try await client.execute(
                    uri: uri, method: HTTPRequest.Method(rawValue: method.uppercased())!,
                    headers: [.contentType: contentType], body: body)
                #expect(response.status == status, "\(method) \(uri)")
                expectDocumented(response, operation, "\(method) \(uri)")
                return response
            }

            let created = try decode(
                FractalObject.self, try await send("/v1/fractal", "post", uri: "/v1/fractal", body: valid.bytes, expect: .created))
            _ = try await send("/v1/fractal", "post", uri: "/v1/fractal", body: outOfRange.bytes, expect: .badRequest)
            _ = try await send("/v1/fractal/{uuid}", "get", uri: uuidExample, expect: .notFound)
            _ = try await send(
                "/v1/fractal", "post", uri: "/v1/fractal", body: valid.bytes, contentType: "text/plain",
                expect: .unsupportedMediaType)
            let result = try await send(
                "/v1/fractal/{uuid}", "put", uri: "/v1/fractal/\(created.uuid)", body: try json(upload(for: created)),
                expect: .ok)
            #expect(try decode(FractalObject.self, result).status == .completed)
            _ = try await send("/fractal/{uuid}", "get", uri: "/fractal/\(created.uuid)", expect: .ok)
            _ = try await send("/v1/fractal/{uuid}", "delete", uri: "/v1/fractal/\(created.uuid)", expect: .noContent)
            _ = try await send("/v1/fractal/{uuid}", "delete", uri: "/v1/fractal/\(created.uuid)", expect: .notFound)
        }
    }

    /// The objects the API answers have exactly the keys their schemas list, all of them
    /// required, and null only where a schema allows it: pending and completed fractals,
    /// and a page.
    @Test func objectsHaveTheDocumentedKeysAndNulls() async throws {
        let document = try await Served.document()
        let fractal = try #require(document.schemas["FractalObject"])
        let page = try #require(document.schemas["FractalPage"])
        #expect(fractal.properties.count == 22)
        #expect(fractal.required == fractal.properties)

        try await APIHarness().test { client in
            func object(_ response: TestResponse) throws -> [String: Any] {
                try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            }
            func expectMatches(_ object: [String: Any], _ schema: Served.Schema, _ label: String) {
                #expect(Set(object.keys) == schema.properties, "\(label)'s keys")
                let nulls = Set(object.filter { $0.value is NSNull }.keys)
                #expect(nulls.subtracting(schema.nullable).sorted() == [], "\(label): null where the schema says never")
            }
            let created = try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask))
            let pending = try object(created)
            expectMatches(pending, fractal, "a pending fractal")
            #expect(pending["duration"] is NSNull && pending["url"] is NSNull)

            let stored = try decode(FractalObject.self, created)
            let result = try await client.execute(
                uri: "/v1/fractal/\(stored.uuid)", method: .put, body: try json(upload(for: stored)))
            let completed = try object(result)
            expectMatches(completed, fractal, "a completed fractal")
            #expect(!(completed["duration"] is NSNull) && !(completed["url"] is NSNull))

            let listed = try object(try await client.execute(uri: "/v1/fractal", method: .get))
            expectMatches(listed, page, "a page")
        }
    }

    /// Expects `response`'s status to be one `operation` documents, with a Content-Type
    /// among those it documents for that status (none when it documents no content).
    func expectDocumented(_ response: TestResponse, _ operation: Served.Operation, _ label: String) {
        guard let documented = operation.responses[String(response.status.code)] else {
            Issue.record("\(label): \(response.status.code) is not documented (\(operation.responses.keys.sorted()))")
            return
        }
        let mediaType = response.headers[.contentType].map { String($0.prefix { $0 != ";" }) }
        if documented.mediaTypes.isEmpty {
            #expect(response.body.readableBytes == 0, "\(label): \(response.status.code) has a body it does not document")
        } else {
            #expect(
                mediaType.map(documented.mediaTypes.contains) == true,
                "\(label): \(response.status.code) is \(mediaType ?? "untyped"), not \(documented.mediaTypes)")
        }
    }
}

/// The document as served, walked as plain JSON with its `$ref`s resolved: its operations,
/// their examples and responses. (OpenAPIKit checks the document; this reads it the way
/// a client's tool would, without depending on OpenAPIKit's model of every field.)
struct Served {
    struct Operation {
        let path: String
        let method: String
        /// The path with each path parameter replaced by its example.
        let exampleURI: String
        let bodyExamples: [BodyExample]
        /// By status code: the media types documented.
        let responses: [String: DocumentedResponse]
    }

    struct BodyExample {
        let name: String
        let mediaType: String
        let bytes: ByteBuffer
    }

    struct DocumentedResponse {
        let mediaTypes: [String]
    }

    /// A schema of `components.schemas`: its properties, those required, and those that may be null.
    struct Schema {
        let properties: Set<String>
        let required: Set<String>
        let nullable: Set<String>
    }

    /// The document's `info.description`.
    let description: String
    let operations: [Operation]
    let schemas: [String: Schema]

    static let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// Reads the document from the router, as a client would.
    static func document() async throws -> Served {
        let app = Application(router: buildRouter(service: APIHarness().service))
        let body = try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get).body
        }
        return try Served(Data(buffer: body))
    }

    init(_ data: Data) throws {
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func resolve(_ value: Any?) throws -> [String: Any] {
            let object = try #require(value as? [String: Any])
            guard let reference = object["$ref"] as? String else { return object }
            var target: Any = root
            for key in reference.dropFirst(2).split(separator: "/") {
                target = try #require((target as? [String: Any])?[String(key)], "unresolved \(reference)")
            }
            return try resolve(target)
        }
        description = try #require((root["info"] as? [String: Any])?["description"] as? String)
        let paths = try #require(root["paths"] as? [String: Any])
        var operations: [Operation] = []
        for path in paths.keys.sorted() {
            let item = try resolve(paths[path])
            for method in Self.methods {
                guard let operation = item[method] as? [String: Any] else { continue }
                let parameters = try ((item["parameters"] as? [Any] ?? []) + (operation["parameters"] as? [Any] ?? []))
                    .map(resolve)
                var uri = path
                for parameter in parameters where parameter["in"] as? String == "path" {
                    let name = try #require(parameter["name"] as? String)
                    let example = try #require(parameter["example"] as? String, "path parameter \(name) has no example")
                    uri = uri.replacingOccurrences(of: "{\(name)}", with: example)
                }
                var examples: [BodyExample] = []
                if let body = operation["requestBody"] {
                    let content = try #require(try resolve(body)["content"] as? [String: Any])
                    for mediaType in content.keys.sorted() {
                        let media = try resolve(content[mediaType])
                        let named = try #require(media["examples"] as? [String: Any], "\(path) \(method) has no examples")
                        for name in named.keys.sorted() {
                            let value = try #require(try resolve(named[name])["value"])
                            let bytes =
                                if let text = value as? String { ByteBuffer(string: text) } else {
                                    ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: value))
                                }
                            examples.append(BodyExample(name: name, mediaType: mediaType, bytes: bytes))
                        }
                    }
                }
                var responses: [String: DocumentedResponse] = [:]
                for (status, response) in try #require(operation["responses"] as? [String: Any]) {
                    let content = try resolve(response)["content"] as? [String: Any] ?? [:]
                    responses[status] = DocumentedResponse(mediaTypes: content.keys.sorted())
                }
                operations.append(
                    Operation(
                        path: path, method: method, exampleURI: uri, bodyExamples: examples, responses: responses))
            }
        }
        self.operations = operations

        let components = try #require((root["components"] as? [String: Any])?["schemas"] as? [String: Any])
        schemas = try components.mapValues { value in
            let schema = try #require(value as? [String: Any])
            let properties = schema["properties"] as? [String: Any] ?? [:]
            let nullable = properties.filter { (($0.value as? [String: Any])?["type"] as? [String])?.contains("null") == true }
            return Schema(
                properties: Set(properties.keys), required: Set(schema["required"] as? [String] ?? []),
                nullable: Set(nullable.keys))
        }
    }

    func operation(_ path: String, _ method: String) -> Operation? {
        operations.first { $0.path == path && $0.method == method }
    }
}
