import Foundation

extension TaskSteps {
    /// A line faafo-worker logs as it takes a step; made into text only when logged.
    public enum Note: Sendable {
        case rendering(String, redelivered: Bool)
        case renderingAgain(String, String)
        case unprocessable(reason: String, Data)
        case renderFailed(String, String)
        case refused(String, String)
        case unauthorized(String, String)
        case retrying(String, String, after: Duration)
        case done(String, seconds: Double)
        case stopping(String)
        case failureNotRecorded(String)

        public enum Level: Sendable {
            case debug, info, warning, error
        }

        public var level: Level {
            switch self {
            // A redelivery is news to an operator: a worker crashed, or lost its broker, holding the task.
            case .rendering(_, let redelivered): redelivered ? .info : .debug
            case .done, .stopping: .info
            case .retrying, .renderingAgain, .failureNotRecorded: .warning
            case .unprocessable, .renderFailed, .refused, .unauthorized: .error
            }
        }

        public var message: String {
            switch self {
            case .rendering(let uuid, let redelivered):
                "rendering \(uuid)\(redelivered ? " (redelivered)" : "")"
            case .renderingAgain(let uuid, let error):
                "the API found the result of \(uuid) corrupt (\(error)); rendering it again"
            case .unprocessable(let reason, let body):
                "dead-lettering a task that can never succeed (\(reason)): \(Self.preview(body))"
            case .renderFailed(let uuid, let error):
                "cannot render \(uuid): \(error); dead-lettering it"
            case .refused(let uuid, let error):
                "the API refused the result of \(uuid): \(error); dead-lettering it"
            case .unauthorized(let uuid, let error):
                "the API refused this worker's credential for the result of \(uuid) (\(error)): set worker_token "
                    + "(--worker-token, FAAFO_WORKER_TOKEN or faafo.conf) to the API's and restart; the task stays "
                    + "unacknowledged, for the queue to deliver it again"
            case .retrying(let uuid, let error, let delay):
                "cannot deliver the result of \(uuid) (\(error)); retrying in \(delay)"
            case .done(let uuid, let seconds):
                "\(uuid) done in \(String(format: "%.6f", seconds)) seconds"
            case .stopping(let uuid):
                "stopping with \(uuid) unacknowledged; the queue will deliver it again"
            case .failureNotRecorded(let uuid):
                "the API did not record the failure of \(uuid)"
            }
        }

        /// The start of a message body, for a log line.
        static func preview(_ body: Data) -> String {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            return body.count > 200 ? text + "…" : text
        }
    }
}
