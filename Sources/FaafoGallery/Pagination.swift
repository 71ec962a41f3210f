/// The links above and below a gallery page: previous and next, the first and last
/// pages, and the pages within two of the current one, with gaps between.
struct Pagination: Sendable, Equatable {
    struct Link: Sendable, Equatable {
        let number: Int
        let url: String
        let current: Bool
        /// A "…" standing for the pages left out here.
        let gap: Bool
    }

    let previousURL: String?
    let nextURL: String?
    let links: [Link]

    /// Nil when there is only one page (or none).
    init?(page: Int, totalPages: Int, reach: Int = 2) {
        guard totalPages > 1 else { return nil }
        previousURL = page > 1 ? Self.url(page - 1) : nil
        nextURL = page < totalPages ? Self.url(page + 1) : nil
        let shown = [1, totalPages] + Array(max(1, page - reach)...min(totalPages, page + reach))
        var links: [Link] = []
        var last = 0
        for number in Set(shown).sorted() {
            if number > last + 1 { links.append(Link(number: 0, url: "", current: false, gap: true)) }
            links.append(Link(number: number, url: Self.url(number), current: number == page, gap: false))
            last = number
        }
        self.links = links
    }

    static func url(_ page: Int) -> String { "/index/\(page)" }
}
