import Foundation

/// The RabbitMQ broker on this machine (started by .ci/run, or by hand:
/// `rabbitmq-server -detached`). Each cluster gets a virtual host of its own, so that
/// nothing else on the broker (other tests, processes left by an interrupted run) can
/// take its tasks.
enum Broker {
    static let base = "amqp://guest:guest@127.0.0.1:5672/"
    static let rabbitmqctl = "/usr/sbin/rabbitmqctl"

    /// Creates a virtual host open to the guest account and returns its URL.
    static func makeVirtualHost(_ name: String) async throws -> String {
        for arguments in [["add_vhost", name], ["set_permissions", "-p", name, "guest", ".*", ".*", ".*"]] {
            let (status, output) = try await run(rabbitmqctl, arguments, timeout: .seconds(60))
            guard status == 0 else { throw ProcessFailure("rabbitmqctl \(arguments.joined(separator: " ")): \(output)") }
        }
        return base + name
    }

    static func deleteVirtualHost(_ name: String) async {
        _ = try? await run(rabbitmqctl, ["delete_vhost", name], timeout: .seconds(60))
    }

    /// Fails with a clear message when no broker answers.
    static func requireRunning() async throws {
        let (status, output) = try await run(rabbitmqctl, ["status"], timeout: .seconds(30))
        guard status == 0 else {
            throw ProcessFailure("RabbitMQ is not running (start it with `rabbitmq-server -detached`): \(output.suffix(500))")
        }
    }

    /// Restarts the broker application: every connection drops; durable queues and
    /// persistent messages survive.
    static func restart() async throws {
        let (stopped, stopOutput) = try await run(rabbitmqctl, ["stop_app"], timeout: .seconds(60))
        guard stopped == 0 else { throw ProcessFailure("rabbitmqctl stop_app: \(stopOutput)") }
        try await Task.sleep(for: .seconds(1))
        let (started, startOutput) = try await run(rabbitmqctl, ["start_app"], timeout: .seconds(120))
        guard started == 0 else { throw ProcessFailure("rabbitmqctl start_app: \(startOutput)") }
    }
}
