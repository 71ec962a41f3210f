import FaafoWire
import FaafoWorkerLogic

/// Delivers results straight to a `FractalService` in the same process: the in-process
/// workers of `faafo-api --workers N` and of the simulator. Refusals map as the HTTP API
/// maps them, so the worker treats them as it would a 4xx or a 5xx.
public struct ServiceResultSink: ResultSink {
    let service: FractalService

    public init(service: FractalService) {
        self.service = service
    }

    public func submit(_ uuid: String, _ upload: ResultUpload) async throws {
        do {
            _ = try await service.submitResult(uuid, upload)
        } catch let error as FractalServiceError {
            throw SubmitError(
                isPermanent: error.code != .unavailable, isCorrupt: error.code == .corrupt, error.message)
        }
    }

    public func reportFailure(_ uuid: String, _ failure: TaskFailure) async throws {
        _ = try await service.reportFailure(uuid, failure)
    }
}
