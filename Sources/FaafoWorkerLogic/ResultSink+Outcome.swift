import FaafoWire

extension ResultSink {
    /// Delivers one result, and says what it came to: accepted, unauthorized (the API
    /// refused the worker's token), corrupt (the API found its bytes changed), refused for
    /// good (a permanent `SubmitError`), or failed for now (any other error).
    public func deliver(_ upload: ResultUpload, of uuid: String) async -> TaskSteps.Outcome {
        do {
            try await submit(uuid, upload)
            return .accepted
        } catch let error as SubmitError where error.isUnauthorized {
            return .unauthorized(error.description)
        } catch let error as SubmitError where error.isCorrupt {
            return .corrupt(error.description)
        } catch let error as SubmitError where error.isPermanent {
            return .refused(error.description)
        } catch {
            return .failed("\(error)")
        }
    }

    /// Reports a task given up, and says whether the report got through.
    public func report(_ failure: TaskFailure, of uuid: String) async -> TaskSteps.Outcome {
        do {
            try await reportFailure(uuid, failure)
            return .reported(true)
        } catch {
            return .reported(false)
        }
    }
}
