import HeapModule

/// The simulator's agenda: events ordered by tick, and by scheduling order within a tick,
/// so that the order never depends on anything but the calls made.
struct EventQueue<Event> {
    private struct Entry: Comparable {
        let tick: Tick
        let sequence: UInt64
        let event: Event

        static func < (a: Entry, b: Entry) -> Bool {
            (a.tick, a.sequence) < (b.tick, b.sequence)
        }

        static func == (a: Entry, b: Entry) -> Bool {
            (a.tick, a.sequence) == (b.tick, b.sequence)
        }
    }

    private var heap = Heap<Entry>()
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func schedule(_ event: Event, at tick: Tick) {
        heap.insert(Entry(tick: tick, sequence: nextSequence, event: event))
        nextSequence += 1
    }

    /// The earliest event and its tick.
    mutating func pop() -> (tick: Tick, event: Event)? {
        heap.popMin().map { ($0.tick, $0.event) }
    }
}
