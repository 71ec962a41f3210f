import Crypto
import FaafoCluster
import FaafoTestKit
import HostLab
import FaafoWire
import Foundation
import FractalJob
import Testing

/// The images in Swift, through a swift-proxy-server of the test's own (`SecondProxy`: the
/// shared Swift's rings, servers and memcached), which is killed with SIGKILL mid-batch
/// and started again a few seconds later. Results that arrive meanwhile are answered 503
/// and sent again by the workers: nothing is lost, and neither the API nor a worker is
/// restarted.
@Suite(.tags(.endToEnd, .rabbitMQ, .objectStore), .needs(.rabbitMQ, .objectStore), .timeLimit(.minutes(5)))
struct SwiftProxyRestartTests {
    @Test func aSwiftProxyKilledMidBatchLosesNothing() async throws {
        let swift = try TestObjectStore.fromEnvironment()
        let proxy = try await SecondProxy(copying: swift)
        defer { proxy.stop() }
        try await proxy.start()
        let container = TestObjectStore.freshContainer()
        var options = LocalCluster.Options(executables: try LocalCluster.executablesFolder())
        options.apiEnvironment = [
            "FAAFO_IMAGE_STORE": "swift://\(container)", "FAAFO_SWIFT_AUTH_URL": proxy.authURL,
            "FAAFO_SWIFT_USER": swift.user, "FAAFO_SWIFT_KEY": swift.key,
        ]
        var objects: [FractalObject] = []
        var refused = 0
        let result = await Result {
            try await withCluster(options) { cluster in
                objects = try await run(cluster, proxy: proxy)
                refused = cluster.workerLogCount(of: "retrying in")
            }
        }
        let names = try await swift.objectNames(in: container)
        try? await swift.deleteContainer(container)
        try result.get()

        print("Swift proxy killed mid-batch: \(refused) result(s) sent again while it was down")
        #expect(refused > 0, "results arrived while the proxy was down")
        #expect(objects.count == 60)
        for object in objects {
            #expect(object.status == .completed && object.attempts == 1, "\(object.uuid)")
            let expected = try expectedChecksums(object)
            #expect(object.checksum == expected.checksum && object.pixelChecksum == expected.pixelChecksum)
        }
        #expect(names.sorted() == objects.map { "\($0.uuid)/\($0.checksum ?? "-").png" }.sorted())
    }

    /// 60 tasks: the first 15 completed with the proxy up, the other 45 created while it
    /// is down (their results meet a 503) and it starts again 3 s later.
    private func run(_ cluster: LocalCluster, proxy: SecondProxy) async throws -> [FractalObject] {
        try await cluster.startWorker(name: "worker-1")
        try await cluster.startWorker(name: "worker-2")
        let tasks = batch(60, iterations: 200).withUUIDs()
        let uuids = tasks.map { $0.uuid! }
        for task in tasks.prefix(15) { _ = try await cluster.client.create(task) }
        _ = try await cluster.waitForCompletion(Array(uuids.prefix(15)), timeout: .seconds(60))

        try await proxy.kill()
        for task in tasks.dropFirst(15) { _ = try await cluster.client.create(task) }
        try await Task.sleep(for: .seconds(3))
        try await proxy.start()

        let objects = try await cluster.waitForCompletion(uuids, timeout: .seconds(150))
        for object in objects {
            #expect(SHA256.hash(data: try await cluster.client.image(object.uuid)).hexString == object.checksum)
        }
        return objects
    }
}
