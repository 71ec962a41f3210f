import Foundation

// What every backend does to a record before keeping it, so that all backends return
// the same values: what SQLite can hold losslessly is what the memory store keeps too.
// `package` for the backends in modules of their own (SQLiteFractalStore, PostgresFractalStore).

extension FractalRecord {
    /// The record as `insert` stores it: a pending fractal with no result and no attempts
    /// (`published` is kept as given), its numbers and dates as the stores keep them.
    /// Throws if a number cannot be stored (NaN or an infinity: SQLite would turn NaN into NULL).
    package func storedForInsert() throws -> FractalRecord {
        var stored = self
        stored.status = .pending
        stored.completedAt = nil
        stored.duration = nil
        stored.size = nil
        stored.checksum = nil
        stored.pixelChecksum = nil
        stored.generatedBy = nil
        stored.attempts = 0
        stored.failure = nil
        stored.fractal.xa = try StoredValue.double(fractal.xa, "xa", of: uuid)
        stored.fractal.xb = try StoredValue.double(fractal.xb, "xb", of: uuid)
        stored.fractal.ya = try StoredValue.double(fractal.ya, "ya", of: uuid)
        stored.fractal.yb = try StoredValue.double(fractal.yb, "yb", of: uuid)
        stored.fractal.cx = try fractal.cx.map { try StoredValue.double($0, "cx", of: uuid) }
        stored.fractal.cy = try fractal.cy.map { try StoredValue.double($0, "cy", of: uuid) }
        stored.createdAt = StoredValue.date(createdAt)
        return stored
    }

    /// The record completed with `result`, one more attempt counted.
    package func completed(with result: FractalResult) throws -> FractalRecord {
        var done = self
        done.status = .completed
        done.completedAt = StoredValue.date(result.completedAt)
        done.duration = try StoredValue.double(result.duration, "duration", of: uuid)
        done.size = result.size
        done.checksum = result.checksum
        done.pixelChecksum = result.pixelChecksum
        done.generatedBy = result.generatedBy
        done.attempts += 1
        done.failure = nil
        return done
    }

    /// What `complete` does to this stored record, the same in every backend: the record
    /// to store in its place (a pending or failed fractal), or the answer that changes
    /// nothing (a completed one: the same checksum is a duplicate, another a conflict).
    package func completing(with result: FractalResult) throws -> Step<CompleteOutcome> {
        switch status {
        case .completed: .unchanged(checksum == result.checksum ? .duplicate(self) : .conflict(self))
        case .pending, .failed: .store(try completed(with: result))
        }
    }

    /// What `fail` does to this stored record, the same in every backend: a pending
    /// fractal fails; a failed one keeps its first failure; a completed one stays so.
    package func failing(reason: String, by worker: String, at date: Date) -> Step<FailOutcome> {
        switch status {
        case .completed: .unchanged(.alreadyCompleted(self))
        case .failed: .unchanged(.alreadyFailed(self))
        case .pending: .store(failed(reason: reason, by: worker, at: date))
        }
    }

    /// A change a backend is to make, or the answer when there is none to make.
    package enum Step<Outcome> {
        /// Store this record in place of the current one.
        case store(FractalRecord)
        /// Change nothing; answer this.
        case unchanged(Outcome)
    }

    /// The record failed: `reason`, by `worker`, at `date` (kept in `completedAt`, the
    /// time the fractal's life ended).
    package func failed(reason: String, by worker: String, at date: Date) -> FractalRecord {
        var failed = self
        failed.status = .failed
        failed.failure = reason
        failed.generatedBy = worker
        failed.completedAt = StoredValue.date(date)
        return failed
    }
}
