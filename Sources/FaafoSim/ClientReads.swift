import FaafoController
import FaafoWire
import Foundation
import FractalStore

/// What a client reading the API at the end of a run sees, held to what the store holds:
/// the controller's own read operations (`FractalService.page`, `fractal`, `image`), as
/// `GET /v1/fractal?page=N`, `GET /v1/fractal/<uuid>` and `GET /fractal/<uuid>` call them.
/// A page (seven a page, so that the last one is partial) lists the stored fractals of its
/// place in the store's order, with the count and the number of pages right, and a page
/// past the end is empty; a fractal reads back with its stored fields (every other one
/// asked for with its uuid in capitals, as the wire allows); its image is the stored PNG
/// once completed, and not found before.
struct ClientReads {
    let service: FractalService
    let store: ObservedFractalStore
    /// The fractals read one by one, at most: enough to catch a wrong read, few enough for
    /// a swarm.
    static let fractalsRead = 60
    static let perPage = 7

    /// What a client would see wrongly, a sentence each (empty when all is right). The
    /// listing is read at its first two pages, its last and the one past the end: where a
    /// page count or a page's bounds go wrong, at a swarm's cost.
    func problems(reading uuids: [String]) async -> [String] {
        var problems: [String] = []
        guard let everything = try? await store.base.page(1, perPage: Int.max / 2) else { return [] }
        let stored = everything.records.map(\.uuid)
        let total = everything.total
        let expectedPages = (total + Self.perPage - 1) / Self.perPage
        for number in Set([1, 2, expectedPages, expectedPages + 1]).filter({ $0 >= 1 }).sorted() {
            guard let page = try? await service.page(number, perPage: Self.perPage) else {
                problems.append("page \(number) of \(Self.perPage) could not be read")
                break
            }
            if page.numResults != total || page.totalPages != expectedPages || page.page != number {
                problems.append(
                    "page \(number) says \(page.numResults) fractal(s) in \(page.totalPages) page(s); the store holds \(total) in \(expectedPages)")
                break
            }
            let first = min(total, (number - 1) * Self.perPage)
            let expected = Array(stored[first..<min(total, first + Self.perPage)])
            if page.objects.map(\.uuid) != expected {
                problems.append("page \(number) lists \(page.objects.count) fractal(s), not the store's \(expected.count) in order")
                break
            }
        }
        for (index, uuid) in uuids.prefix(Self.fractalsRead).enumerated() {
            // Every other read names the fractal in capitals, as the wire allows.
            let asked = index.isMultiple(of: 2) ? uuid : uuid.uppercased()
            guard let record = try? await store.base.fetch(uuid) else {
                if (try? await service.fractal(asked)) != nil { problems.append("\(asked) reads back although it is not stored") }
                continue
            }
            guard let object = try? await service.fractal(asked) else {
                problems.append("\(uuid) is stored but does not read back")
                continue
            }
            if object.uuid != record.uuid || object.status != record.status || object.checksum != record.checksum
                || object.pixelChecksum != record.pixelChecksum || object.size != record.size
                || object.generatedBy != record.generatedBy || object.attempts != record.attempts
                || object.failure != record.failure || object.fractal != record.fractal
                || (object.url != nil) != (record.status == .completed)
            {
                problems.append("\(uuid) reads back with other fields than it is stored with")
            }
            let image = try? await service.image(asked)
            let stored = try? await store.base.image(uuid)
            if record.status == .completed ? image != stored || image == nil : image != nil {
                problems.append("\(uuid)'s image reads back \(image == nil ? "missing" : "wrong") while it is \(record.status.rawValue)")
            }
        }
        return problems
    }
}
