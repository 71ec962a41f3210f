extension Result where Failure == any Error {
    /// The outcome of an async throwing body, kept so that a test's cleanup runs before it
    /// is rethrown: `let outcome = await Result { try await … }; cleanup(); try outcome.get()`.
    public init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
