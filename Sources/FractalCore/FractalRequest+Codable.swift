// The JSON of the ten fields, for every type that embeds a `FractalRequest` (the queue
// message, the API's request and object, golden cases, the render report): each writes
// them flat into its own object, beside its other keys, with its own rules for what a
// value it does not have looks like and how strictly integers are read.

extension FractalRequest: Codable {
    public enum CodingKeys: String, CodingKey, CaseIterable, Sendable {
        case width, height, iterations, xa, xb, ya, yb, cx, cy, seed

        /// What the field holds, in words, for error messages.
        public var kind: String {
            switch self {
            case .width, .height, .iterations: "a whole number"
            case .seed: "a whole number from 0 to \(UInt64.max)"
            case .xa, .xb, .ya, .yb, .cx, .cy: "a number"
            }
        }
    }

    /// How the integer fields are read.
    public enum IntegerReading: Sendable {
        /// As JSONDecoder reads them, with its errors.
        case foundation
        /// A fraction, a negative seed or a number out of range is reported against its
        /// key (see `decodeInteger`), as the API's answers name it.
        case strict
    }

    /// What is written for `cx`, `cy` or `seed` when the value has none.
    public enum AbsentValues: Sendable {
        /// The key is left out.
        case leftOut
        /// The key is written with null.
        case null
    }

    /// Reads the ten fields from `decoder`'s keyed container; other keys are ignored.
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, integers: .foundation)
    }

    public init(from decoder: any Decoder, integers: IntegerReading) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func int(_ key: CodingKeys) throws -> Int {
            switch integers {
            case .foundation: try c.decode(Int.self, forKey: key)
            case .strict: try c.decodeInteger(Int.self, forKey: key)
            }
        }
        self.init(
            width: try int(.width), height: try int(.height), iterations: try int(.iterations),
            xa: try c.decode(Double.self, forKey: .xa), xb: try c.decode(Double.self, forKey: .xb),
            ya: try c.decode(Double.self, forKey: .ya), yb: try c.decode(Double.self, forKey: .yb),
            cx: try c.decodeIfPresent(Double.self, forKey: .cx), cy: try c.decodeIfPresent(Double.self, forKey: .cy),
            seed: integers == .strict
                ? try c.decodeIntegerIfPresent(UInt64.self, forKey: .seed)
                : try c.decodeIfPresent(UInt64.self, forKey: .seed))
    }

    /// Writes the ten fields into `encoder`'s keyed container, leaving out what is nil.
    public func encode(to encoder: any Encoder) throws {
        try encode(to: encoder, absent: .leftOut)
    }

    public func encode(to encoder: any Encoder, absent: AbsentValues) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(xa, forKey: .xa)
        try c.encode(xb, forKey: .xb)
        try c.encode(ya, forKey: .ya)
        try c.encode(yb, forKey: .yb)
        switch absent {
        case .leftOut:
            try c.encodeIfPresent(cx, forKey: .cx)
            try c.encodeIfPresent(cy, forKey: .cy)
            try c.encodeIfPresent(seed, forKey: .seed)
        case .null:
            try c.encode(cx, forKey: .cx)
            try c.encode(cy, forKey: .cy)
            try c.encode(seed, forKey: .seed)
        }
    }
}
