import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OpenStackSwiftObjects

/// The Swift the tests use: the one `scripts/start-swift` runs, found through the
/// FAAFO_TEST_SWIFT_* variables it prints (its defaults when they are unset). Each test gets a container of its own, emptied
/// and deleted afterwards. Missing variables or a Swift that does not answer fail the
/// test, with how to start it: it never skips.
package struct TestObjectStore: Sendable {
    package static let variables = ["FAAFO_TEST_SWIFT_AUTH_URL", "FAAFO_TEST_SWIFT_USER", "FAAFO_TEST_SWIFT_KEY", "FAAFO_TEST_SWIFT_DIR"]
    package static let logger = Logger(label: "faafo.test.swift")

    package let authURL: String
    package let user: String
    package let key: String
    /// The folder of its configs, rings and logs (a second proxy starts from its config).
    package let directory: String

    /// What `scripts/start-swift` prints when run with its defaults.
    package static let defaults = [
        "http://127.0.0.1:58080/auth/v1.0", "test:tester", "testing", "/tmp/faafo-swift-58080",
    ]

    /// The variables' values, or for those unset the defaults of `scripts/start-swift`.
    package static func fromEnvironment() throws -> TestObjectStore {
        let environment = ProcessInfo.processInfo.environment
        let values = zip(variables, defaults).map { variable, fallback in
            environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        }
        return TestObjectStore(authURL: values[0], user: values[1], key: values[2], directory: values[3])
    }

    package static func freshContainer() -> String { "faafo-test-" + UUID().uuidString.lowercased() }

    /// Runs `body` with a client of a new container (through the proxy at `authURL`, by
    /// default the shared one), then deletes the container and its objects and shuts the
    /// client down, whether `body` threw or not.
    package static func withObjects<T>(
        container: String = freshContainer(), authURL: String? = nil,
        _ body: (OpenStackSwiftObjects, TestObjectStore) async throws -> T
    ) async throws -> T {
        let swift = try fromEnvironment()
        let objects: OpenStackSwiftObjects
        do {
            objects = try await OpenStackSwiftObjects(
                authURL: authURL ?? swift.authURL, user: swift.user, key: swift.key, container: container,
                logger: logger)
        } catch {
            throw TestObjectStoreError("no test Swift at \(swift.authURL) (start one with `eval \"$(scripts/start-swift)\"`): \(error)")
        }
        let result: Result<T, any Error>
        do { result = .success(try await body(objects, swift)) } catch { result = .failure(error) }
        try? await swift.deleteContainer(container)
        try? await objects.shutdown()
        return try result.get()
    }

    // MARK: Raw calls, beside the client under test

    /// A token and account URL of the test account, from the shared proxy.
    package func login() async throws -> (token: String, storageURL: String) {
        var request = HTTPClientRequest(url: authURL)
        request.headers.add(name: "X-Auth-User", value: user)
        request.headers.add(name: "X-Auth-Key", value: key)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard let token = response.headers.first(name: "X-Auth-Token"),
            let storageURL = response.headers.first(name: "X-Storage-Url")
        else { throw TestObjectStoreError("\(authURL) answered \(response.status) without a token") }
        return (token, storageURL)
    }

    /// One call on `path` below the account URL (already percent-encoded); its status,
    /// headers and body.
    package func raw(_ method: HTTPMethod, _ path: String) async throws -> (status: UInt, headers: HTTPHeaders, body: Data) {
        let (token, storageURL) = try await login()
        var request = HTTPClientRequest(url: storageURL + "/" + path)
        request.method = method
        request.headers.add(name: "X-Auth-Token", value: token)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (response.status.code, response.headers, Data(body.readableBytesView))
    }

    /// The path of an object below the account URL, as the client encodes it.
    package static func path(container: String, object: String) -> String {
        OpenStackSwiftObjects.percentEncoded(container) + "/"
            + object.split(separator: "/", omittingEmptySubsequences: false)
            .map(OpenStackSwiftObjects.percentEncoded).joined(separator: "/")
    }

    /// The names of the container's objects (at most 10,000: more than any test makes).
    package func objectNames(in container: String) async throws -> [String] {
        let answer = try await raw(.GET, OpenStackSwiftObjects.percentEncoded(container) + "?format=json")
        guard answer.status == 200 else { return [] }
        struct Entry: Decodable { let name: String }
        return try JSONDecoder().decode([Entry].self, from: answer.body).map(\.name)
    }

    package func deleteContainer(_ container: String) async throws {
        for name in try await objectNames(in: container) {
            _ = try await raw(.DELETE, Self.path(container: container, object: name))
        }
        _ = try await raw(.DELETE, OpenStackSwiftObjects.percentEncoded(container))
    }
}

package struct TestObjectStoreError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
