import Foundation

/// Fractal uuids as the API stores and names them: 36 characters, lowercase hex digits
/// in groups of 8-4-4-4-12 (`154c7b41-108e-4696-a059-1bde9bf03d0a`).
///
/// Foundation's `UUID(uuidString:)` and `uuidString` go through sscanf and sprintf, which
/// made up a twentieth of the simulator's time; every create checks one uuid and makes
/// another, so these two do it by hand.
public enum FractalUUID {
    /// `text` in canonical lowercase form, or nil when it is not a uuid. Takes what
    /// `UUID(uuidString:)` takes: 8-4-4-4-12 hex digits, in either case.
    public static func canonical(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { source -> String? in
            guard source.count == length, source.indices.allSatisfy({ isValid(source[$0], at: $0) }) else { return nil }
            return String(unsafeUninitializedCapacity: length) { buffer in
                // Setting bit 5 lowercases A-F and leaves digits and dashes as they are.
                for index in 0..<length { buffer[index] = source[index] | 0x20 }
                return length
            }
        }
    }

    /// Whether `byte` may stand at `index` of a uuid's text: a dash between the groups,
    /// a hex digit of either case elsewhere.
    static func isValid(_ byte: UInt8, at index: Int) -> Bool {
        if index == 8 || index == 13 || index == 18 || index == 23 { return byte == dash }
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            return true
        default:
            return false
        }
    }

    /// The canonical text of `uuid`.
    public static func text(_ uuid: UUID) -> String {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: length) { buffer in
                var index = 0
                for position in 0..<bytes.count {
                    let byte = bytes[position]
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        buffer[index] = dash
                        index += 1
                    }
                    buffer[index] = hexDigits[Int(byte >> 4)]
                    buffer[index + 1] = hexDigits[Int(byte & 0x0f)]
                    index += 2
                }
                return index
            }
        }
    }

    static let length = 36
    static let dash = UInt8(ascii: "-")
    static let hexDigits = Array("0123456789abcdef".utf8)
}
