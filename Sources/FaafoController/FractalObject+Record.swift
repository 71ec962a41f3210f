import Foundation
import FaafoWire
import FractalStore

extension FractalObject {
    /// The API's view of a stored fractal.
    init(_ r: FractalRecord) {
        self.init(
            uuid: r.uuid, fractal: r.fractal, duration: r.duration, size: r.size, checksum: r.checksum,
            url: r.status == .completed ? "/fractal/\(r.uuid)" : nil, generatedBy: r.generatedBy,
            pixelChecksum: r.pixelChecksum, status: r.status,
            createdAt: Self.timestamp(r.createdAt), completedAt: r.completedAt.map(Self.timestamp),
            attempts: r.attempts, failure: r.failure)
    }

    /// ISO 8601 in UTC with milliseconds, e.g. `2026-11-25T16:20:17.123Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(timestampStyle)
    }

    static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

extension TaskMessage {
    /// The queue message for a stored fractal.
    init(_ r: FractalRecord) {
        self.init(uuid: r.uuid, fractal: r.fractal)
    }
}
