import FaafoWire
import Foundation
import FractalCore
import FractalJob

/// The steps of one task that do not depend on how a worker schedules them: read and check
/// a delivery's message, make the result upload from a rendered fractal, and deliver it.
/// `FractalWorker` runs them in real time; the simulator (FaafoSim) runs the same steps in
/// simulated time, with faults between them.
public struct TaskProcessor: Sendable {
    /// Reported as `generated_by`.
    public let name: String
    public let limits: RenderLimits

    public init(name: String, limits: RenderLimits = .default) {
        self.name = name
        self.limits = limits
    }

    /// A message that decoded and whose parameters are inside the render contract.
    public struct PreparedTask: Sendable, Hashable {
        public let task: TaskMessage
        public let parameters: FractalParameters
    }

    /// Why a message can never be rendered: the worker dead-letters it.
    public struct UnprocessableTask: Error, Sendable, CustomStringConvertible {
        public let reason: String
        /// The task's uuid, when the message was a task message at all.
        public var uuid: String? = nil
        public var description: String { reason }
    }

    /// What delivering a result came to.
    public enum DeliveryOutcome: Sendable {
        /// The API accepted it: acknowledge the task.
        case accepted
        /// The API refused it for good (a 4xx): dead-letter the task.
        case refused(SubmitError)
        /// It may pass later (a 5xx, no connection): try again after a delay.
        case failed(any Error)
    }

    /// Decodes a message and checks its parameters; throws `UnprocessableTask` when the
    /// message can never succeed.
    public func prepare(_ body: Data) throws(UnprocessableTask) -> PreparedTask {
        let task: TaskMessage
        do {
            task = try TaskMessage(jsonBody: body)
        } catch {
            throw UnprocessableTask(reason: "not a task message")
        }
        do {
            return PreparedTask(task: task, parameters: try Self.parameters(of: task, limits: limits))
        } catch let error as ParameterError {
            throw UnprocessableTask(reason: error.message, uuid: task.uuid)
        } catch let error as UnprocessableTask {
            throw UnprocessableTask(reason: error.reason, uuid: task.uuid)
        } catch {
            throw UnprocessableTask(reason: "\(error)", uuid: task.uuid)
        }
    }

    /// Tells the API once that the task is given up, and why, so that it shows as failed
    /// rather than pending for ever. Best effort: the task is dead-lettered whatever the
    /// answer. Returns whether the report got through.
    @discardableResult
    public func reportFailure(of uuid: String, reason: String, to sink: any ResultSink) async -> Bool {
        do {
            try await sink.reportFailure(uuid, TaskFailure(reason: reason, generatedBy: name))
            return true
        } catch {
            return false
        }
    }

    /// The result upload of a rendered fractal.
    public func upload(for rendered: RenderedFractal) -> ResultUpload {
        ResultUpload(
            duration: rendered.duration, checksum: rendered.checksum, size: rendered.size,
            image: rendered.png.base64EncodedString(), generatedBy: name, pixelChecksum: rendered.pixelChecksum)
    }

    /// Delivers one result and says what to do next.
    public func deliver(_ upload: ResultUpload, of uuid: String, to sink: any ResultSink) async -> DeliveryOutcome {
        do {
            try await sink.submit(uuid, upload)
            return .accepted
        } catch let error as SubmitError where error.isPermanent {
            return .refused(error)
        } catch {
            return .failed(error)
        }
    }

    /// The render parameters a message stands for: its c, else c from its seed, else (an
    /// original faafo message) from the seed its uuid implies.
    static func parameters(of task: TaskMessage, limits: RenderLimits) throws -> FractalParameters {
        var request = task.fractal
        if request.cx == nil, request.cy == nil, request.seed == nil {
            guard let implied = TaskMessage.seedFromUUID(task.uuid) else {
                throw UnprocessableTask(reason: "the task has no c, no seed and no valid uuid to draw c from")
            }
            request.seed = implied
        }
        return try request.validated(limits: limits)
    }
}

/// Delays between attempts to deliver a result: doubling from `initial`, at most `maximum`.
public struct RetryBackoff: Sendable {
    public let maximum: Duration
    private var current: Duration

    public init(initial: Duration, maximum: Duration) {
        self.current = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt.
    public mutating func next() -> Duration {
        defer { current = min(current * 2, maximum) }
        return current
    }
}
