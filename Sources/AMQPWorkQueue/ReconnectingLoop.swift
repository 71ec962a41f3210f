import Logging

/// The connect, serve, reconnect cycle that both connection threads (the publisher's and
/// each consumer's) run: connect, then serve turns until the connection fails; after a
/// failure, wait with exponential backoff and connect again; stop when the owner stops.
protocol ReconnectingLoop: AnyObject {
    var logger: Logger { get }
    var reconnectDelay: Duration { get }
    var maximumReconnectDelay: Duration { get }
    /// True once the owner is closing or shutting down.
    var isStopping: Bool { get }
    var isConnected: Bool { get }

    /// Opens and sets up a connection (channels, topology, consume or confirm mode).
    func connect() throws(AMQPFailure)
    /// Tells the owner a connection is up.
    func didConnect()
    /// Tells the owner the connection failed or could not be made. False means give up:
    /// the first attempt's failure is thrown to whoever started the loop.
    func didFail(_ failure: AMQPFailure) -> Bool
    /// One turn on the open connection: send what waits, read what arrived.
    func serveTurn() throws(AMQPFailure)
    /// Forgets a connection that failed mid-turn.
    func dropConnection(after failure: AMQPFailure)
    /// Waits `delay` before the next attempt, returning early when the owner stops.
    func pause(for delay: Duration)
}

extension ReconnectingLoop {
    /// Runs the cycle until the owner stops or the first connection fails.
    func runReconnecting() {
        var backoff = Backoff(initial: reconnectDelay, maximum: maximumReconnectDelay)
        var hasConnected = false
        while !isStopping {
            guard isConnected else {
                do throws(AMQPFailure) {
                    try connect()
                    backoff.reset()
                    if hasConnected {
                        logger.info("Reconnected to RabbitMQ")
                    } else {
                        logger.debug("Connected to RabbitMQ")
                    }
                    hasConnected = true
                    didConnect()
                } catch {
                    guard didFail(error) else { return }
                    let delay = backoff.next()
                    logger.warning("Cannot connect to RabbitMQ; retrying in \(delay)", metadata: ["error": "\(error)"])
                    pause(for: delay)
                }
                continue
            }
            do throws(AMQPFailure) {
                try serveTurn()
            } catch {
                logger.warning("Lost the connection to RabbitMQ; reconnecting", metadata: ["error": "\(error)"])
                dropConnection(after: error)
                _ = didFail(error)
            }
        }
    }
}
