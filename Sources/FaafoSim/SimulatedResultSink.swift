import FaafoController
import FaafoWire
import FaafoWorkerLogic

/// A virtual worker's line to a controller for one result PUT, with the fault the run
/// drew for it. Without a fault it is `ServiceResultSink`, what faafo-api's in-process
/// workers use: the same service code, the same mapping of refusals.
struct SimulatedResultSink: ResultSink {
    enum Fault: Sendable {
        case none
        /// The API answers 5xx without storing anything.
        case serverError
        /// The API stores the result but the worker never hears back.
        case timeout
    }

    /// The controller the PUT goes to; nil when none is up (connection refused).
    let service: FractalService?
    let fault: Fault

    func submit(_ uuid: String, _ upload: ResultUpload) async throws {
        guard let service else { throw SubmitError(isPermanent: false, "connection refused: no controller is up") }
        let sink = ServiceResultSink(service: service)
        switch fault {
        case .none:
            try await sink.submit(uuid, upload)
        case .serverError:
            throw SubmitError(isPermanent: false, "503 Service Unavailable (injected)")
        case .timeout:
            try? await sink.submit(uuid, upload)
            throw SubmitError(isPermanent: false, "no answer from the API in time (injected; the PUT was processed)")
        }
    }

    func reportFailure(_ uuid: String, _ failure: TaskFailure) async throws {
        guard let service else { throw SubmitError(isPermanent: false, "connection refused: no controller is up") }
        try await ServiceResultSink(service: service).reportFailure(uuid, failure)
    }
}
