import FaafoTestKit
import HostLab
import Testing

/// Gives a suite RabbitMQ nodes of its own (`TestRabbitMQ`), started once for the whole suite
/// and stopped after its last test; its tests find them in `OwnRabbitMQ.current`.
struct OwnRabbitMQ: SuiteTrait, TestScoping {
    let nodes: Int
    let tls: Bool

    @TaskLocal static var current: TestRabbitMQ?

    /// The suite's nodes; fails outside a suite with this trait.
    static func nodes() throws -> TestRabbitMQ {
        try #require(current, "the suite needs the .ownRabbitMQ trait")
    }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> OwnRabbitMQ? {
        test.isSuite ? self : nil
    }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await TestRabbitMQ.with(nodes: nodes, tls: tls) { rabbit in
            try await Self.$current.withValue(rabbit) { try await function() }
        }
    }
}

extension Trait where Self == OwnRabbitMQ {
    /// `count` nodes of the suite's own, clustered when more than one; with `tls`, each also
    /// has a TLS listener.
    static func ownRabbitMQ(nodes count: Int = 1, tls: Bool = false) -> OwnRabbitMQ {
        OwnRabbitMQ(nodes: count, tls: tls)
    }
}
