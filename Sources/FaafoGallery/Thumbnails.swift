import FaafoWire
import Foundation
import FractalCore
import FractalJob

/// Small PNGs for the gallery, made by rendering the fractal's own plane and constant at
/// a small size: deterministic, cheap, and with no PNG decoder needed. Kept in memory,
/// the oldest dropped first once `capacity` are held.
actor Thumbnails {
    /// A thumbnail fits in a square of this many pixels.
    static let box = 160

    let capacity: Int
    private var entries: [FractalParameters: Task<Data, any Error>] = [:]
    /// Keys in the order they were added, for dropping the oldest.
    private var order: [FractalParameters] = []

    init(capacity: Int = 512) {
        self.capacity = max(1, capacity)
    }

    /// The thumbnail's size for an image of `width` × `height`: scaled down to fit the
    /// box, keeping the aspect ratio; an image that fits already keeps its size.
    static func size(width: Int, height: Int) -> (width: Int, height: Int) {
        let scale = min(1, Double(box) / Double(width), Double(box) / Double(height))
        let side = RenderLimits.sideRange
        func scaled(_ length: Int) -> Int {
            min(max(Int((Double(length) * scale).rounded()), side.lowerBound), length)
        }
        return (scaled(width), scaled(height))
    }

    /// The render parameters of `object`'s thumbnail: its plane, iterations and c, at
    /// the thumbnail's size.
    static func parameters(of object: FractalObject) throws -> FractalParameters {
        let (width, height) = size(width: object.fractal.width, height: object.fractal.height)
        // Never larger than the image, so never over a budget the image was inside.
        var request = object.fractal
        request.width = width
        request.height = height
        return try request.validated(limits: RenderLimits(workBudget: .max))
    }

    /// The PNG thumbnail of `object`, rendered once and then served from memory.
    /// Concurrent requests for one thumbnail share its rendering.
    func png(of object: FractalObject) async throws -> Data {
        let parameters = try Self.parameters(of: object)
        if let entry = entries[parameters] { return try await entry.value }
        let rendering = Task { try await Self.render(parameters) }
        entries[parameters] = rendering
        order.append(parameters)
        if order.count > capacity { entries[order.removeFirst()] = nil }
        do {
            return try await rendering.value
        } catch {
            // Not cached: the next request tries again.
            if let index = order.firstIndex(of: parameters) {
                order.remove(at: index)
                entries[parameters] = nil
            }
            throw error
        }
    }

    /// Renders on a thread of its own, off the tasks that serve requests.
    static func render(_ parameters: FractalParameters) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try RenderJob.run(parameters, threads: 1).png })
            }
        }
    }
}
