import FaafoProbes
import FaafoWire
import Foundation
import FractalCore

/// faafo-worker's decisions about one delivery, as a step machine without I/O: given the
/// delivery, then the outcome of each action, it answers the next action. `FractalWorker`
/// drives it with real I/O; the simulator drives the same machine in simulated time, with
/// crashes between actions. A task that can never succeed is reported and dead-lettered;
/// a result the API may take later is retried with backoff; a result the API finds corrupt
/// is rendered again, a few times at most; a task is acknowledged only once the API
/// accepted its result.
public struct TaskSteps: Sendable {
    /// What the driver does next, and which outcome it answers with.
    public enum Action: Sendable {
        /// Render the task: answer `.rendered` or `.renderFailed`.
        case render(uuid: String, FractalParameters)
        /// Deliver the result to the API: answer `.accepted`, `.unauthorized`, `.corrupt`, `.refused` or `.failed`
        /// (`ResultSink.deliver` maps a sink's answer).
        case deliver(uuid: String, ResultUpload)
        /// Wait this long before the next attempt: answer `.waited`, or `.stopping` when the
        /// worker stops meanwhile.
        case wait(Duration)
        /// Tell the API the task is given up, and why: answer `.reported` (best effort).
        case reportFailure(uuid: String, TaskFailure)
        /// Acknowledge the delivery: answer `.settled`, whether or not it got through.
        case acknowledge
        /// Reject the delivery without requeueing it, so it goes to the dead-letter queue:
        /// answer `.settled`.
        case reject
        /// Nothing more: the delivery is settled, or left unacknowledged for the queue to
        /// deliver again.
        case finish
    }

    /// What an action came to.
    public enum Outcome: Sendable {
        case rendered(Rendered)
        case renderFailed(String)
        /// The API accepted the result.
        case accepted
        /// The API refused the worker's credential (a 401).
        case unauthorized(String)
        /// The API found the result's bytes contradicting its own checksums (a 422).
        case corrupt(String)
        /// The API refused the result for good (a 4xx).
        case refused(String)
        /// The delivery may pass later (a 5xx, no connection).
        case failed(String)
        case waited
        /// The worker is stopping.
        case stopping
        /// Whether the API took the failure report.
        case reported(Bool)
        case settled
    }

    /// A rendered fractal, as much of it as the result upload needs.
    public struct Rendered: Sendable {
        public let png: Data
        public let checksum: String
        public let pixelChecksum: String
        /// Seconds the render, encode and checksums took.
        public let duration: Double

        public init(png: Data, checksum: String, pixelChecksum: String, duration: Double) {
            self.png = png
            self.checksum = checksum
            self.pixelChecksum = pixelChecksum
            self.duration = duration
        }
    }

    /// The next action, and what the worker logs as it takes it.
    public struct Step: Sendable {
        public let action: Action
        public let note: Note?

        init(_ action: Action, _ note: Note? = nil) {
            self.action = action
            self.note = note
        }
    }

    enum State {
        case received
        /// `renders` counts this render too.
        case rendering(uuid: String, FractalParameters, renders: Int)
        /// Acknowledging before delivering (the `acknowledgeBeforeDelivering` defect).
        case acknowledgingEarly(Delivery)
        case delivering(Delivery)
        case waiting(Delivery)
        /// Reporting a failure, then rejecting.
        case reporting(uuid: String)
        case acknowledging(uuid: String, duration: Double)
        case rejecting
        case finished
    }

    /// A result on its way to the API.
    struct Delivery {
        let uuid: String
        let parameters: FractalParameters
        /// Renders of the task so far, this one included.
        let renders: Int
        let upload: ResultUpload
        let duration: Double
        var backoff: RetryBackoff
        var acknowledged = false
    }

    public let policy: TaskPolicy
    let body: Data
    let redelivered: Bool
    var state = State.received

    public init(body: Data, redelivered: Bool, policy: TaskPolicy) {
        self.body = body
        self.redelivered = redelivered
        self.policy = policy
    }

    /// The first action: render the task, or dead-letter a message that can never succeed.
    public mutating func start() -> Step {
        guard case .received = state else { preconditionFailure("a task's steps start once") }
        let task: TaskMessage
        if redelivered { Probe.hit(.workerRedelivery) }
        do {
            task = try TaskMessage(jsonBody: body)
        } catch {
            Probe.hit(.workerNotATask)
            return giveUp(uuid: nil, reason: "not a task message", .unprocessable(reason: "not a task message", body))
        }
        let parameters: FractalParameters
        do {
            parameters = try Self.parameters(of: task, limits: policy.limits)
        } catch {
            Probe.hit(.workerUnprocessable)
            return giveUp(uuid: task.uuid, reason: error.reason, .unprocessable(reason: error.reason, body))
        }
        state = .rendering(uuid: task.uuid, parameters, renders: 1)
        return Step(.render(uuid: task.uuid, parameters), .rendering(task.uuid, redelivered: redelivered))
    }

    /// The action after `outcome`, the outcome of the last action.
    public mutating func next(after outcome: Outcome) -> Step {
        switch (state, outcome) {
        case (.rendering(let uuid, let parameters, let renders), .rendered(let rendered)):
            let delivery = Delivery(
                uuid: uuid, parameters: parameters, renders: renders, upload: upload(for: rendered),
                duration: rendered.duration,
                backoff: RetryBackoff(initial: policy.retryInitialDelay, maximum: policy.retryMaximumDelay))
            if policy.defect == .acknowledgeBeforeDelivering {
                state = .acknowledgingEarly(delivery)
                return Step(.acknowledge)
            }
            return deliver(delivery)
        case (.rendering(let uuid, _, _), .renderFailed(let error)):
            Probe.hit(.workerRenderFailed)
            return giveUp(uuid: uuid, reason: "cannot render: \(error)", .renderFailed(uuid, error))
        case (.acknowledgingEarly(var delivery), .settled):
            delivery.acknowledged = true
            return deliver(delivery)
        case (.delivering(let delivery), .accepted):
            guard !delivery.acknowledged else {
                state = .finished
                return Step(.finish, .done(delivery.uuid, seconds: delivery.duration))
            }
            state = .acknowledging(uuid: delivery.uuid, duration: delivery.duration)
            return Step(.acknowledge)
        case (.delivering(let delivery), .unauthorized(let error)):
            // Left unacknowledged rather than dead-lettered: the task is sound and only this
            // worker's token is wrong, so once the worker restarts with the right one the
            // queue delivers it again; a dead-lettered task would need an operator to move
            // it back. Meanwhile it holds one of the worker's prefetch slots, so a worker
            // whose every slot is refused stops taking (and rendering) tasks it cannot deliver.
            Probe.hit(.workerUnauthorized)
            state = .finished
            return Step(.finish, .unauthorized(delivery.uuid, error))
        case (.delivering(let delivery), .corrupt(let error)):
            // The bytes changed after the render (memory, disk, the network): a new render
            // makes them again. A worker whose every render arrives corrupt gives up.
            guard delivery.renders < policy.maximumRenders else {
                Probe.hit(.workerCorruptGiveUp)
                return giveUp(
                    uuid: delivery.uuid,
                    reason: "the API found each of \(delivery.renders) renders corrupt: \(error)",
                    .refused(delivery.uuid, error))
            }
            Probe.hit(.workerRenderAgain)
            state = .rendering(uuid: delivery.uuid, delivery.parameters, renders: delivery.renders + 1)
            return Step(.render(uuid: delivery.uuid, delivery.parameters), .renderingAgain(delivery.uuid, error))
        case (.delivering(let delivery), .refused(let error)):
            Probe.hit(.workerRefused)
            return giveUp(
                uuid: delivery.uuid, reason: "the API refused the result: \(error)", .refused(delivery.uuid, error))
        case (.delivering(var delivery), .failed(let error)):
            let delay = delivery.backoff.next()
            Probe.hit(delay >= delivery.backoff.maximum ? .workerBackoffAtMaximum : .workerRetry)
            state = .waiting(delivery)
            return Step(.wait(delay), .retrying(delivery.uuid, error, after: delay))
        case (.waiting(let delivery), .waited):
            return deliver(delivery)
        case (.waiting(let delivery), .stopping):
            Probe.hit(.workerStoppedWaiting)
            state = .finished
            return Step(.finish, .stopping(delivery.uuid))
        case (.reporting(let uuid), .reported(let recorded)):
            if !recorded { Probe.hit(.workerFailureNotRecorded) }
            state = .rejecting
            return Step(.reject, recorded ? nil : .failureNotRecorded(uuid))
        case (.acknowledging(let uuid, let duration), .settled):
            state = .finished
            return Step(.finish, .done(uuid, seconds: duration))
        case (.rejecting, .settled):
            state = .finished
            return Step(.finish)
        default:
            preconditionFailure("a task's steps got \(outcome) in state \(state)")
        }
    }

    mutating func deliver(_ delivery: Delivery) -> Step {
        state = .delivering(delivery)
        return Step(.deliver(uuid: delivery.uuid, delivery.upload))
    }

    /// Gives a task up: reports it to the API when the message named a fractal, then
    /// dead-letters it.
    mutating func giveUp(uuid: String?, reason: String, _ note: Note) -> Step {
        guard let uuid else {
            state = .rejecting
            return Step(.reject, note)
        }
        state = .reporting(uuid: uuid)
        return Step(.reportFailure(uuid: uuid, TaskFailure(reason: reason, generatedBy: policy.name)), note)
    }

    /// The result upload of a rendered fractal.
    func upload(for rendered: Rendered) -> ResultUpload {
        ResultUpload(
            duration: rendered.duration, checksum: rendered.checksum, size: rendered.png.count,
            image: rendered.png.base64EncodedString(), generatedBy: policy.name, pixelChecksum: rendered.pixelChecksum)
    }

    /// The render parameters a message stands for: its c, else c from its seed, else (an
    /// original faafo message) from the seed its uuid implies.
    static func parameters(of task: TaskMessage, limits: RenderLimits) throws(Unprocessable) -> FractalParameters {
        var request = task.fractal
        if request.cx == nil, request.cy == nil, request.seed == nil {
            guard let implied = TaskMessage.seedFromUUID(task.uuid) else {
                throw Unprocessable(reason: "the task has no c, no seed and no valid uuid to draw c from")
            }
            request.seed = implied
        }
        do {
            return try request.validated(limits: limits)
        } catch {
            throw Unprocessable(reason: error.message)
        }
    }

    /// Why a task message can never be rendered.
    struct Unprocessable: Error {
        let reason: String
    }
}
