import FaafoWire

/// Where a worker sends its results: the API over HTTP (`HTTPResultSink`), or a
/// controller in the same process (`ServiceResultSink`, in FaafoAPI).
public protocol ResultSink: Sendable {
    /// Delivers one result. Returns once the API has accepted it (a 2xx). Throws
    /// `SubmitError`; any other error counts as transient.
    func submit(_ uuid: String, _ upload: ResultUpload) async throws

    /// Tells the API that the worker gave the task up, and why (`PUT
    /// /v1/fractal/<uuid>/failure`). Throws when the report did not get through.
    func reportFailure(_ uuid: String, _ failure: TaskFailure) async throws
}

/// Why a result was not accepted, and whether trying again can help.
public struct SubmitError: Error, Sendable, CustomStringConvertible {
    /// True for a refusal that repeats on every try (a 4xx: unknown fractal, bad result,
    /// conflicting checksum); false for a failure that may pass (a 5xx, no connection).
    public let isPermanent: Bool
    /// True when the API refused the worker's credential (a 401): not the task's fault,
    /// so the task must neither be dead-lettered nor reported failed.
    public let isUnauthorized: Bool
    /// True when the API found the result's bytes contradicting its own checksums (a
    /// 422): they changed on this host or on the way, so a new render may pass.
    public let isCorrupt: Bool
    public let message: String

    public init(isPermanent: Bool, isUnauthorized: Bool = false, isCorrupt: Bool = false, _ message: String) {
        self.isPermanent = isPermanent
        self.isUnauthorized = isUnauthorized
        self.isCorrupt = isCorrupt
        self.message = message
    }

    public var description: String { message }
}
