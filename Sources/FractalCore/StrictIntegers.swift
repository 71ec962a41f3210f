extension KeyedDecodingContainer {
    /// Decodes an integer field so that a wrong value is reported against its key.
    /// Foundation's decoder reports 2.5 for an Int, or -1 for a UInt64, as "not valid
    /// JSON" with no field at all; this names the field and says what it must be.
    package func decodeInteger<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        if let value = try? decode(T.self, forKey: key) { return value }
        // Find out why: absent, null and non-numbers keep the decoder's own errors.
        let number = try decode(Double.self, forKey: key)
        throw DecodingError.typeMismatch(
            T.self,
            DecodingError.Context(
                codingPath: codingPath + [key],
                debugDescription: "\(number) is not an integer from \(T.min) to \(T.max)"))
    }

    package func decodeIntegerIfPresent<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeInteger(T.self, forKey: key)
    }
}
