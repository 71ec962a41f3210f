import Crypto
import FaafoProbes
import FaafoWire
import Foundation
import FractalCore
import FractalStore
import Logging
import Metrics
import WorkQueue

/// The controller's logic, without HTTP: store a fractal and queue its task, answer
/// queries, accept results. `FractalRoutes` is a thin HTTP layer over it, and the
/// simulator calls it directly.
public final class FractalService: Sendable {
    public let store: any FractalStore
    public let queue: any WorkQueue
    public let limits: RenderLimits
    public let environment: ServiceEnvironment
    public let metrics: FractalMetrics
    let logger: Logger

    /// `metrics` records into `MetricsSystem`'s factory unless given one (faafo-api gives
    /// the registry it serves at `/metrics`).
    public init(
        store: any FractalStore, queue: any WorkQueue, limits: RenderLimits = .default,
        environment: ServiceEnvironment = .live, metrics: FractalMetrics = FractalMetrics(),
        logger: Logger = Logger(label: "faafo.api")
    ) {
        self.store = store
        self.queue = queue
        self.limits = limits
        self.environment = environment
        self.metrics = metrics
        self.logger = logger
    }

    public enum CreateOutcome: Sendable, Hashable {
        /// Stored now (and queued, unless the queue was down: then the outbox will).
        case created(FractalObject)
        /// The same task was stored before under this uuid; nothing was queued again.
        case existing(FractalObject)

        /// The stored fractal, either way.
        public var object: FractalObject {
            switch self {
            case .created(let object), .existing(let object): object
            }
        }
    }

    /// Validates a request, stores it, then publishes its task. A task whose publish is
    /// not confirmed stays in the outbox and is published by `publishOutbox`.
    public func create(_ request: CreateFractal) async throws -> CreateOutcome {
        try await timed(metrics.createDuration) { try await createTimed(request) }
    }

    private func createTimed(_ request: CreateFractal) async throws -> CreateOutcome {
        let uuid = try Self.canonicalUUID(request.uuid) ?? FractalUUID.text(environment.newUUID())
        var fractal = request.fractal
        if fractal.cx == nil && fractal.cy == nil && fractal.seed == nil {
            fractal.seed = environment.newSeed()
        }
        let parameters: FractalParameters
        do {
            parameters = try fractal.validated(limits: limits)
        } catch {
            throw FractalServiceError(.invalid, error.message)
        }

        let record = FractalRecord(uuid: uuid, fractal: parameters.request, createdAt: environment.now())
        let outcome: InsertOutcome
        do {
            outcome = try await store.insert(record)
        } catch {
            Probe.hit(.controllerStoreUnavailable)
            throw FractalServiceError(.unavailable, "cannot store fractal \(uuid): \(error)")
        }
        switch outcome {
        case .exists(let existing):
            guard Self.sameTask(existing, request) else {
                Probe.hit(.controllerCreateConflict)
                throw FractalServiceError(.conflict, "fractal \(uuid) exists with other parameters")
            }
            Probe.hit(.controllerCreateRepeated)
            return .existing(FractalObject(existing))
        case .inserted(var stored):
            metrics.created.increment()
            if await publish(stored) { stored.published = true }
            return .created(FractalObject(stored))
        }
    }

    /// Publishes a stored fractal's task and marks it published. Returns false (and logs)
    /// when the queue did not confirm it; the outbox will try again.
    func publish(_ record: FractalRecord) async -> Bool {
        do {
            let body = try TaskMessage(record).jsonBody()
            try await queue.publish(body, messageID: record.uuid)
            try await store.markPublished(record.uuid)
            return true
        } catch {
            Probe.hit(.controllerPublishUnconfirmed)
            logger.warning("task \(record.uuid) is stored but not queued yet: \(error)")
            return false
        }
    }

    /// Publishes every stored task created before `cutoff` whose publish was never
    /// confirmed (the API stopped between storing and publishing, or the queue was down).
    /// Returns how many were published.
    ///
    /// Several APIs may share one store: each pass claims its rows for `lease` first, so no
    /// two APIs publish the same rows at once, and the rows of an API that dies mid-pass
    /// are claimed by another once its lease is up. A task whose publish fails is released
    /// at once, for the next pass.
    @discardableResult
    public func publishOutbox(createdBefore cutoff: Date, batch: Int = 500, lease: TimeInterval = 30) async -> Int {
        var published = 0
        while true {
            let claimed: [FractalRecord]
            do {
                let now = environment.now()
                claimed = try await store.claimUnpublished(
                    limit: batch, createdBefore: cutoff, now: now, until: now.addingTimeInterval(lease))
            } catch {
                logger.warning("cannot read the outbox: \(error)")
                return published
            }
            var progress = false
            for record in claimed {
                if await publish(record) {
                    Probe.hit(.outboxPublished)
                    published += 1
                    progress = true
                } else {
                    Probe.hit(.outboxReleased)
                    // Best effort: if this fails too, the lease ends the claim.
                    try? await store.releaseClaim(record.uuid)
                }
            }
            if claimed.count < batch || !progress { break }
        }
        if published > 0 { logger.info("published \(published) task(s) from the outbox") }
        await refreshOutboxDepth()
        return published
    }

    /// Sets the outbox gauge from the store: once a pass, which costs one indexed count.
    func refreshOutboxDepth() async {
        do {
            metrics.outboxDepth.record(try await store.unpublishedCount())
        } catch {
            logger.warning("cannot count the outbox: \(error)")
        }
    }

    /// Runs `body` and records how long it took by the service's clock, returned or thrown.
    func timed<T>(_ timer: Metrics.Timer, _ body: () async throws -> T) async rethrows -> T {
        let start = environment.now()
        defer { timer.record(max(0, environment.now().timeIntervalSince(start))) }
        return try await body()
    }

    public func fractal(_ uuid: String) async throws -> FractalObject {
        let uuid = try Self.requireUUID(uuid)
        guard let record = try await fetch(uuid) else {
            throw FractalServiceError(.notFound, "no fractal \(uuid)")
        }
        return FractalObject(record)
    }

    /// One page in Flask-Restless's shape. Page numbers start at 1; a page past the end is
    /// empty, as in the original.
    public func page(_ page: Int, perPage: Int) async throws -> FractalPage {
        guard page >= 1 else { throw FractalServiceError(.invalid, "page must be 1 or more, got \(page)") }
        guard (1...1000).contains(perPage) else {
            throw FractalServiceError(.invalid, "results_per_page must be between 1 and 1000, got \(perPage)")
        }
        let result: (records: [FractalRecord], total: Int)
        do {
            result = try await store.page(page, perPage: perPage)
        } catch {
            throw FractalServiceError(.unavailable, "cannot read fractals: \(error)")
        }
        let totalPages = (result.total + perPage - 1) / perPage
        return FractalPage(
            numResults: result.total, objects: result.records.map(FractalObject.init), page: page,
            totalPages: totalPages)
    }

    /// The PNG of a completed fractal.
    public func image(_ uuid: String) async throws -> Data {
        try await readImage(uuid) { try await store.image($0) }
    }

    /// The PNG of a completed fractal as the store sends it (an object store's, chunk by
    /// chunk), with its length.
    public func imageChunks(_ uuid: String) async throws -> ImageChunks {
        try await readImage(uuid) { try await store.imageChunks($0) }
    }

    /// `read`'s answer for a checked uuid: a store failure is `.unavailable`, no image
    /// (unknown or pending) `.notFound`.
    private func readImage<Image>(_ uuid: String, _ read: (String) async throws -> Image?) async throws -> Image {
        let uuid = try Self.requireUUID(uuid)
        let image: Image?
        do {
            image = try await read(uuid)
        } catch {
            throw FractalServiceError(.unavailable, "cannot read the image of \(uuid): \(error)")
        }
        guard let image else { throw FractalServiceError(.notFound, "no image for \(uuid) (unknown or pending)") }
        return image
    }

    public func delete(_ uuid: String) async throws {
        let uuid = try Self.requireUUID(uuid)
        let deleted: Bool
        do {
            deleted = try await store.delete(uuid)
        } catch {
            Probe.hit(.controllerStoreUnavailable)
            throw FractalServiceError(.unavailable, "cannot delete \(uuid): \(error)")
        }
        guard deleted else { throw FractalServiceError(.notFound, "no fractal \(uuid)") }
        Probe.hit(.controllerDeleted)
    }

    func fetch(_ uuid: String) async throws -> FractalRecord? {
        do {
            return try await store.fetch(uuid)
        } catch {
            Probe.hit(.controllerStoreUnavailable)
            throw FractalServiceError(.unavailable, "cannot read fractal \(uuid): \(error)")
        }
    }

    /// A uuid in canonical lowercase form, or an `.invalid` error naming it.
    static func requireUUID(_ text: String) throws -> String {
        guard let uuid = FractalUUID.canonical(text) else {
            throw FractalServiceError(.invalid, "malformed uuid '\(text.prefix(64))'")
        }
        return uuid
    }

    static func canonicalUUID(_ text: String?) throws -> String? {
        try text.map(requireUUID)
    }

    /// Whether a repeated create asks for the stored task: the same size, iterations and
    /// plane, and no seed or c that differs from the stored one.
    static func sameTask(_ record: FractalRecord, _ create: CreateFractal) -> Bool {
        let (r, q) = (record.fractal, create.fractal)
        return r.width == q.width && r.height == q.height && r.iterations == q.iterations
            && r.xa == q.xa && r.xb == q.xb && r.ya == q.ya && r.yb == q.yb
            && (q.seed == nil || q.seed == r.seed)
            && (q.cx == nil || q.cx == r.cx) && (q.cy == nil || q.cy == r.cy)
    }
}
