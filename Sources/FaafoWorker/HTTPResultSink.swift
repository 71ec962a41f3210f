import FaafoClient
import FaafoWire
import FaafoWorkerLogic

/// Delivers results to the API over HTTP: `PUT /v1/fractal/<uuid>`. Any 2xx answer is an
/// acceptance, so that the worker also serves the original faafo API.
public struct HTTPResultSink: ResultSink {
    let client: FaafoAPIClient

    public init(client: FaafoAPIClient) {
        self.client = client
    }

    public func submit(_ uuid: String, _ upload: ResultUpload) async throws {
        do {
            try await client.deliverResult(uuid, upload)
        } catch let error as FaafoClientError {
            throw SubmitError(isPermanent: error.isClientError, error.description)
        }
    }

    public func reportFailure(_ uuid: String, _ failure: TaskFailure) async throws {
        try await client.deliverFailure(uuid, failure)
    }
}
