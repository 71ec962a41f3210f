@testable import FaafoClient
import Foundation
import Testing

@Suite struct FaafoClientErrorTests {
    static func error(_ status: Int, _ body: String, reason: String = "") -> FaafoClientError {
        FaafoClientError.httpStatus(
            status, reason: reason, body: Data(body.utf8), method: "GET",
            url: "http://localhost:8080/v1/fractal/1234")
    }

    @Test func theServersMessageMakesTheLine() {
        let error = Self.error(404, #"{"message": "no fractal 1234"}"#, reason: "Not Found")
        #expect(error.code == .httpStatus)
        #expect(error.status == 404)
        #expect(error.message == "no fractal 1234")
        #expect(error.description == "404 no fractal 1234")
        #expect(error.isClientError && !error.isTransient)
        #expect(error.method == "GET" && error.url == "http://localhost:8080/v1/fractal/1234")
    }

    @Test func aBodyThatIsNotTheJSONIsShownAsText() {
        let html = Self.error(502, "<html>\n  <body>Bad   Gateway</body>\n</html>\n", reason: "Bad Gateway")
        #expect(html.description == "502 <html> <body>Bad Gateway</body> </html>")
        #expect(html.isTransient && !html.isClientError)
        let otherJSON = Self.error(400, #"{"error": "x"}"#)
        #expect(otherJSON.description == #"400 {"error": "x"}"#)
    }

    @Test func anEmptyBodyFallsBackToTheReasonPhrase() {
        #expect(Self.error(503, "", reason: "Service Unavailable").description == "503 Service Unavailable")
        #expect(Self.error(500, "  \n").description == "500")
    }

    @Test func aLongBodyIsCut() {
        let error = Self.error(400, String(repeating: "x", count: 5000))
        #expect(error.description.count < 320)
        #expect(error.description.hasSuffix("…"))
    }

    /// A connection the server dropped mid-call (the create may have reached the API, so
    /// `faafo demo` sends it again with its uuid) is told from one that reached no API.
    @Test func aConnectionTheServerDroppedIsToldFromOneThatReachedNoAPI() {
        struct Socket: Error, CustomStringConvertible { let description: String }
        func failure(_ underlying: String) -> FaafoClientError {
            FaafoClientError(
                code: .connection,
                message: "cannot connect to http://lb:8080: \(FaafoAPIClient.connectionProblem(Socket(description: underlying)))",
                method: "POST", url: "http://lb:8080/v1/fractal")
        }
        #expect(failure("HTTPClientError.remoteConnectionClosed").isDroppedConnection)
        #expect(failure("read(descriptor:pointer:size:): Connection reset by peer (errno: 104)").isDroppedConnection)
        #expect(!failure("connect(descriptor:addr:size:): Connection refused (errno: 111)").isDroppedConnection)
        #expect(!failure("NIOConnectionError: no address").isDroppedConnection)
        #expect(!Self.error(503, "{}").isDroppedConnection)
    }

    @Test func retryingIsForTransientFailures() {
        #expect(Self.error(429, "").isTransient && !Self.error(429, "").isClientError)
        #expect(Self.error(409, "").isClientError)
        let refused = FaafoClientError(
            code: .connection, message: "cannot connect to http://x: connection refused", method: "GET", url: "http://x/")
        #expect(refused.isTransient && refused.description == "cannot connect to http://x: connection refused")
    }

    @Test func anEndpointMustBeHTTPWithAHost() async throws {
        for endpoint in ["localhost:8080", "ftp://localhost", "http://", "http://h:70000", "http://h/?q=1"] {
            await #expect {
                let client = try FaafoAPIClient(endpointURL: endpoint)
                try await client.shutdown()
            } throws: { error in
                (error as? FaafoClientError)?.code == .invalidEndpoint
                    && "\(error)".contains(endpoint)
            }
        }
        let client = try FaafoAPIClient(endpointURL: "http://localhost:8080/prefix///")
        #expect(client.endpoint == "http://localhost:8080/prefix")
        try await client.shutdown()
    }

    @Test func anUnreachableAPIIsNamed() async throws {
        let client = try FaafoAPIClient(endpointURL: "http://127.0.0.1:1", retryingConnections: false)
        await #expect {
            _ = try await client.get("154c7b41-108e-4696-a059-1bde9bf03d0a")
        } throws: { error in
            guard let error = error as? FaafoClientError else { return false }
            return error.code == .connection && error.description == "cannot connect to http://127.0.0.1:1: connection refused"
                && error.url == "http://127.0.0.1:1/v1/fractal/154c7b41-108e-4696-a059-1bde9bf03d0a"
        }
        try await client.shutdown()
    }
}
