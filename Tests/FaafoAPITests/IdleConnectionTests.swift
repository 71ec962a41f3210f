import FaafoAPI
import FaafoTestKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Connections that send half a request and then nothing, or stay idle after one, are
/// closed after the idle timeout, and hold the API up neither before nor after. 520
/// connections held open at once: scripts/test runs it apart (`manyConnections`).
@Suite(.tags(.manyConnections), .timeLimit(.minutes(2)))
struct IdleConnectionTests {
    /// A TCP connection to 127.0.0.1:`port`, by hand, so that a test can stall it.
    final class RawConnection {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw Failure("socket() failed: errno \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                close(descriptor)
                throw Failure("connect() failed: errno \(errno)")
            }
        }

        deinit { close(descriptor) }

        func send(_ text: String) throws {
            let sent = text.utf8CString.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count - 1, 0) }
            guard sent == text.utf8.count else { throw Failure("send() failed: errno \(errno)") }
        }

        /// What arrives within `timeout`; "" once the server has closed the connection.
        /// It asks the socket without waiting and sleeps between asks, so no thread of
        /// the shared pool is held up while the server (which needs that pool) answers.
        func receive(within timeout: Duration) async -> String? {
            let deadline = ContinuousClock.now + timeout
            while true {
                var descriptors = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                if poll(&descriptors, 1, 0) == 1 {
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    let count = read(descriptor, &buffer, buffer.count)
                    return count <= 0 ? "" : String(decoding: buffer.prefix(count), as: UTF8.self)
                }
                guard ContinuousClock.now < deadline else { return nil }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// `GET /v1/fractal` on a connection of its own: the answer's first bytes.
    static func list(port: Int) async throws -> String {
        let connection = try RawConnection(port: port)
        try connection.send("GET /v1/fractal HTTP/1.1\r\nHost: faafo\r\n\r\n")
        return await connection.receive(within: .seconds(10)) ?? "no answer within 10 s"
    }

    @Test func stalledAndIdleConnectionsAreClosedAndTheAPIKeepsServing() async throws {
        let harness = APIHarness()
        let options = APIOptions(listenAddress: "127.0.0.1", bindPort: 0, idleTimeout: .seconds(1))
        let app = buildApplication(service: harness.service, options: options, logger: Logger(label: "idle-test"))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // 500 connections stalled halfway through a create, 20 idle after a whole request.
            var stalled: [RawConnection] = []
            for _ in 0..<500 {
                let connection = try RawConnection(port: port)
                try connection.send("POST /v1/fractal HTTP/1.1\r\nHost: faafo\r\nContent-Length: 200\r\n\r\n{\"width\": ")
                stalled.append(connection)
            }
            var idle: [RawConnection] = []
            for _ in 0..<20 {
                let connection = try RawConnection(port: port)
                try connection.send("GET /v1/fractal HTTP/1.1\r\nHost: faafo\r\n\r\n")
                let answer = try #require(await connection.receive(within: .seconds(30)))
                #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
                idle.append(connection)
            }
            // Meanwhile the API serves new connections.
            #expect(try await Self.list(port: port).hasPrefix("HTTP/1.1 200"))

            // Within some idle timeouts every one of them is closed by the server. The bound
            // is generous: alone this takes about a second, but in a full parallel test run
            // on two cores the API's event loops and this test's polls run many times slower.
            let deadline = ContinuousClock.now + .seconds(30)
            var stillOpen: [String] = []
            for (index, connection) in (stalled + idle).enumerated() {
                guard let end = await connection.receive(within: max(.zero, deadline - .now)) else {
                    stillOpen.append(index < stalled.count ? "stalled \(index)" : "idle \(index - stalled.count)")
                    continue
                }
                #expect(end == "" || end.hasPrefix("HTTP/1.1 4"), "\(end)")
            }
            #expect(stillOpen.isEmpty, "still open 30 s on: \(stillOpen)")
            // And it still serves.
            #expect(try await Self.list(port: port).hasPrefix("HTTP/1.1 200"))
            #expect(try await harness.store.page(1, perPage: 10).total == 0, "nothing half-written")
        }
    }
}
