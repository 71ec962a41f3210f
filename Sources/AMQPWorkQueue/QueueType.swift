/// How the task queue (and its dead-letter queue) is declared.
public enum QueueType: String, Sendable, Hashable, CaseIterable {
    /// With no arguments, exactly as the original faafo's kombu declares it, so that the
    /// original's services may share the queue.
    case classic
    /// `x-queue-type: quorum`: replicated on a cluster's nodes, surviving the loss of a minority
    /// of them. The original faafo's kombu declares the queue with no arguments, which RabbitMQ
    /// refuses for a quorum queue: its services cannot share this queue.
    case quorum
}
