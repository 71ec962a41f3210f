/// The brokers one connection thread tries, and where it starts: kombu's round-robin
/// failover. A connection opens to the first broker that answers; once it is lost (or its
/// set-up fails), the next attempt starts from the broker after it, so a dead broker is
/// tried last rather than first.
struct BrokerRotation {
    let brokers: [AMQPEndpoint]
    private var next = 0

    init(_ brokers: [AMQPEndpoint]) {
        precondition(!brokers.isEmpty, "a rotation needs a broker")
        self.brokers = brokers
    }

    /// A connection to the first broker that answers, trying each once. The failure names
    /// every broker tried and why each failed.
    mutating func open(tls: TLSFiles, name: String, heartbeat: Duration, timeout: Duration) throws(AMQPFailure)
        -> AMQPConnection
    {
        var failures: [AMQPFailure] = []
        for offset in brokers.indices {
            let index = (next + offset) % brokers.count
            do throws(AMQPFailure) {
                let connection = try AMQPConnection.open(
                    endpoint: brokers[index], tls: tls, name: name, heartbeat: heartbeat, timeout: timeout)
                next = (index + 1) % brokers.count
                return connection
            } catch {
                failures.append(error)
            }
        }
        if failures.count == 1 { throw failures[0] }
        throw AMQPFailure(
            isRefusal: failures.allSatisfy(\.isRefusal),
            message: "none of the \(brokers.count) brokers of transport_url answers: "
                + failures.map(\.message).joined(separator: "; "))
    }
}
