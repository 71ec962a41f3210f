import Foundation

/// The threaded half of `FrameRenderer`: workers fill a ring of band slots, the calling
/// thread drains it in order.
///
/// Band b goes to slot b % ringSize. A worker claims bands in increasing order and may
/// fill band b only once band b - ringSize has been consumed; the consumer takes band b
/// only once a worker has marked slot b % ringSize as holding b. All shared state is
/// guarded by `condition`.
final class BandPipeline: @unchecked Sendable {
    let plane: PixelPlane
    let rowsPerBand: Int
    let bandCount: Int
    let ringSize: Int
    private let slotBytes: Int
    private let slots: UnsafeMutablePointer<UInt8>

    private let condition = NSCondition()
    private var nextBand = 0
    private var consumedBands = 0
    private var bandInSlot: [Int]
    private var stopped = false
    private var work = 0

    init(plane: PixelPlane, rowsPerBand: Int, bandCount: Int, ringSize: Int) {
        self.plane = plane
        self.rowsPerBand = rowsPerBand
        self.bandCount = bandCount
        self.ringSize = min(ringSize, bandCount)
        slotBytes = rowsPerBand * plane.width * 3
        slots = .allocate(capacity: slotBytes * self.ringSize)
        bandInSlot = Array(repeating: -1, count: self.ringSize)
    }

    deinit {
        slots.deallocate()
    }

    func run<E: Error>(threads: Int, _ consume: (RowBand) throws(E) -> Void) throws(E) -> RenderStatistics {
        let finished = DispatchGroup()
        for _ in 0..<threads {
            finished.enter()
            let thread = Thread { [self] in
                renderBands()
                finished.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        defer {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
            finished.wait()
        }
        for band in 0..<bandCount {
            let slot = band % ringSize
            condition.lock()
            while bandInSlot[slot] != band { condition.wait() }
            condition.unlock()

            let firstRow = band * rowsPerBand
            let rows = min(rowsPerBand, plane.height - firstRow)
            try consume(
                RowBand(
                    firstRow: firstRow, rowCount: rows,
                    bytes: .init(start: slots + slot * slotBytes, count: rows * plane.width * 3)))

            condition.lock()
            bandInSlot[slot] = -1
            consumedBands = band + 1
            condition.broadcast()
            condition.unlock()
        }
        // Every band is consumed, so no worker has anything left to claim: wait until all
        // have left and added their share of `work`.
        finished.wait()
        return RenderStatistics(work: work)
    }

    /// A worker thread's loop: claim the next band, wait for its slot, render, publish.
    private func renderBands() {
        let indices = UnsafeMutablePointer<Int32>.allocate(capacity: rowsPerBand * plane.width)
        defer { indices.deallocate() }
        var done = 0
        while true {
            condition.lock()
            guard !stopped, nextBand < bandCount else {
                work += done
                condition.unlock()
                return
            }
            let band = nextBand
            nextBand += 1
            while band >= consumedBands + ringSize && !stopped { condition.wait() }
            if stopped {
                work += done
                condition.unlock()
                return
            }
            condition.unlock()

            let slot = band % ringSize
            let firstRow = band * rowsPerBand
            let rows = min(rowsPerBand, plane.height - firstRow)
            done += renderBand(plane, firstRow: firstRow, rows: rows, indices: indices, rgb: slots + slot * slotBytes)

            condition.lock()
            bandInSlot[slot] = band
            condition.broadcast()
            condition.unlock()
        }
    }
}
