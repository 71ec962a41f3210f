import Foundation
import FractalCore

/// The queue message's JSON, coded without Codable when it has its usual shape.
///
/// Foundation's JSONEncoder and JSONDecoder took 9 and 12 µs a message on these
/// machines, almost a third of the simulator's time for tiny tasks. A message is a flat
/// object of numbers and one uuid string, so the common case is written and read here
/// directly. Anything else (escapes in a string, unknown or repeated keys, a value of
/// another type, bad JSON) is left to Foundation, which gives the same answer and the
/// errors that name the field; a test holds the two paths to the same results.
extension TaskMessage {
    /// The message as the queue carries it.
    public func jsonBody() throws -> Data {
        let f = fractal
        let finite = f.xa.isFinite && f.xb.isFinite && f.ya.isFinite && f.yb.isFinite && f.cx?.isFinite != false
            && f.cy?.isFinite != false
        guard finite, uuid.utf8.allSatisfy(PlainJSON.isPlainStringByte) else {
            // JSONEncoder escapes the uuid, or names the number JSON cannot hold.
            return try PlainJSON.encoder.encode(self)
        }
        var text = "{\"uuid\":\"\(uuid)\",\"width\":\(f.width),\"height\":\(f.height),\"iterations\":\(f.iterations)"
        text += ",\"xa\":\(f.xa),\"xb\":\(f.xb),\"ya\":\(f.ya),\"yb\":\(f.yb)"
        if let cx = f.cx { text += ",\"cx\":\(cx)" }
        if let cy = f.cy { text += ",\"cy\":\(cy)" }
        if let seed = f.seed { text += ",\"seed\":\(seed)" }
        text += "}"
        return Data(text.utf8)
    }

    /// Reads a message body; throws Foundation's `DecodingError` when it is not one.
    public init(jsonBody body: Data) throws {
        if let message = Self.plain(body) {
            self = message
        } else {
            self = try PlainJSON.decoder.decode(TaskMessage.self, from: body)
        }
    }

    /// The message when `body` is a flat object of exactly the message's keys, each once,
    /// with strings free of escapes; nil for anything else.
    package static func plain(_ body: Data) -> TaskMessage? {
        body.withUnsafeBytes { bytes in
            var reader = PlainJSON.Reader(bytes)
            return reader.taskMessage()
        }
    }
}

/// The narrow JSON that `TaskMessage` reads and writes by hand.
enum PlainJSON {
    static let encoder = JSONEncoder()
    static let decoder = JSONDecoder()
    /// Every key of a message, each a bit in the reader's record of the keys it has seen.
    static let taskMessageKeys = ["uuid", "width", "height", "iterations", "xa", "xb", "ya", "yb", "cx", "cy", "seed"]

    /// A byte a JSON string holds as itself: printable ASCII other than `"` and `\`.
    static func isPlainStringByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }

    /// The Double a number's text stands for, nil where Foundation refuses it: too large
    /// (infinite), or so small that a non-zero number rounds to zero (`1e-400`; Foundation
    /// reads `0e-400` and `4.9e-324`, but not that). Fuzz/FuzzTaskMessage found the second:
    /// the reader took `-10e-488588389` as -0.0 where Foundation's decoder throws.
    static func double(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        // A digit other than 0 before the exponent: the number is not zero, only too small.
        let mantissa = text.utf8.prefix { $0 | 0x20 != UInt8(ascii: "e") }
        guard value != 0 || mantissa.allSatisfy({ $0 < UInt8(ascii: "1") || $0 > UInt8(ascii: "9") }) else { return nil }
        return value
    }

    /// A value as the reader found it: text still to convert, or null.
    enum Value {
        case string(String)
        /// A number in JSON's grammar; `integral` when it has no fraction and no exponent.
        case number(String, integral: Bool)
        case null
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        mutating func taskMessage() -> TaskMessage? {
            var uuid: String?
            var width: Int?, height: Int?, iterations: Int?
            var xa: Double?, xb: Double?, ya: Double?, yb: Double?
            var cx: Double?, cy: Double?, seed: UInt64?
            var seen: UInt16 = 0
            guard take(UInt8(ascii: "{")) else { return nil }
            repeat {
                guard let key = string(), let field = PlainJSON.taskMessageKeys.firstIndex(of: key),
                    seen & 1 << field == 0, take(UInt8(ascii: ":")), let value = value()
                else { return nil }
                seen |= 1 << field
                switch (key, value) {
                case ("uuid", .string(let text)): uuid = text
                case ("width", .number(let text, true)): width = Int(text)
                case ("height", .number(let text, true)): height = Int(text)
                case ("iterations", .number(let text, true)): iterations = Int(text)
                case ("xa", .number(let text, _)): xa = PlainJSON.double(text)
                case ("xb", .number(let text, _)): xb = PlainJSON.double(text)
                case ("ya", .number(let text, _)): ya = PlainJSON.double(text)
                case ("yb", .number(let text, _)): yb = PlainJSON.double(text)
                // nil for a number Foundation refuses, which an absent c must not hide.
                case ("cx", .number(let text, _)):
                    guard let value = PlainJSON.double(text) else { return nil }
                    cx = value
                case ("cy", .number(let text, _)):
                    guard let value = PlainJSON.double(text) else { return nil }
                    cy = value
                case ("seed", .number(let text, true)):
                    // Negative or too large: Foundation's error names it.
                    guard let value = UInt64(text) else { return nil }
                    seed = value
                case ("cx", .null), ("cy", .null), ("seed", .null): break
                default: return nil
                }
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")), atEnd else { return nil }
            // An integer out of range or a number a Double cannot hold (nil here) is left to
            // Foundation, which names it.
            guard let uuid, let width, let height, let iterations, let xa, let xb, let ya, let yb else { return nil }
            return TaskMessage(
                uuid: uuid,
                fractal: FractalRequest(
                    width: width, height: height, iterations: iterations,
                    xa: xa, xb: xb, ya: ya, yb: yb, cx: cx, cy: cy, seed: seed))
        }

        var atEnd: Bool {
            mutating get {
                skipSpace()
                return index == bytes.count
            }
        }

        /// Skips white space, then takes `byte` if it comes next.
        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skipSpace() {
            while index < bytes.count,
                bytes[index] == 0x20 || bytes[index] == 0x0a || bytes[index] == 0x0d || bytes[index] == 0x09
            {
                index += 1
            }
        }

        /// A string without escapes or bytes outside printable ASCII.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count, PlainJSON.isPlainStringByte(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            defer { index += 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        mutating func value() -> Value? {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return string().map(Value.string)
            case UInt8(ascii: "n"):
                let null = Array("null".utf8)
                guard bytes.count - index >= null.count, bytes[index..<index + null.count].elementsEqual(null)
                else { return nil }
                index += null.count
                return .null
            default:
                return number()
            }
        }

        /// A number in JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
        mutating func number() -> Value? {
            let start = index
            _ = takeNext(UInt8(ascii: "-"))
            if !takeNext(UInt8(ascii: "0")) {
                guard digits() > 0 else { return nil }
            }
            var integral = true
            if takeNext(UInt8(ascii: ".")) {
                integral = false
                guard digits() > 0 else { return nil }
            }
            if takeNext(UInt8(ascii: "e")) || takeNext(UInt8(ascii: "E")) {
                integral = false
                if !takeNext(UInt8(ascii: "+")) { _ = takeNext(UInt8(ascii: "-")) }
                guard digits() > 0 else { return nil }
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            return .number(text, integral: integral)
        }

        /// Takes `byte` if it is the very next one (no white space skipped).
        mutating func takeNext(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// Takes a run of decimal digits; returns how many.
        mutating func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }
    }
}
