import FaafoClient
import FaafoWire
import FaafoWorkerLogic

/// Delivers results to the API over HTTP: `PUT /v1/fractal/<uuid>`, with the client's
/// worker token when it has one. Any 2xx answer is an acceptance, so that the worker also
/// serves the original faafo API; a 401 is the worker's credential refused, not the task's;
/// a 422 is a result whose bytes the API found changed, which a new render can mend.
public struct HTTPResultSink: ResultSink {
    let client: FaafoAPIClient

    public init(client: FaafoAPIClient) {
        self.client = client
    }

    public func submit(_ uuid: String, _ upload: ResultUpload) async throws {
        do {
            try await client.deliverResult(uuid, upload)
        } catch let error as FaafoClientError {
            let unauthorized = error.code == .httpStatus && error.status == 401
            let corrupt = error.code == .httpStatus && error.status == 422
            throw SubmitError(
                isPermanent: error.isClientError, isUnauthorized: unauthorized, isCorrupt: corrupt, error.description)
        }
    }

    public func reportFailure(_ uuid: String, _ failure: TaskFailure) async throws {
        try await client.deliverFailure(uuid, failure)
    }
}
