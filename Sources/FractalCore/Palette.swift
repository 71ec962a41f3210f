/// The contract's colouring: escape index i becomes (i % 8 * 32, i % 16 * 16, i % 32 * 8).
enum Palette {
    /// Colours `count` indices into RGB bytes and returns the iterations they took (i + 1 each).
    static func colour(_ indices: UnsafePointer<Int32>, count: Int, into rgb: UnsafeMutablePointer<UInt8>) -> Int {
        var work = 0
        for k in 0..<count {
            let i = indices[k]
            work += Int(i) + 1
            rgb[3 * k] = UInt8(truncatingIfNeeded: (i & 7) << 5)
            rgb[3 * k + 1] = UInt8(truncatingIfNeeded: (i & 15) << 4)
            rgb[3 * k + 2] = UInt8(truncatingIfNeeded: (i & 31) << 3)
        }
        return work
    }
}
