import Foundation
import Testing

@testable import FaafoWire

/// The hand-written uuid checks take and write what Foundation does.
@Suite struct FractalUUIDTests {
    @Test func canonicalAcceptsWhatFoundationAccepts() {
        let texts = [
            "154c7b41-108e-4696-a059-1bde9bf03d0a", "154C7B41-108E-4696-A059-1BDE9BF03D0A",
            "154c7B41-108e-4696-a059-1bDE9bf03d0a", "00000000-0000-0000-0000-000000000000",
            "154c7b41-108e-4696-a059-1bde9bf03d0", "154c7b41-108e-4696-a059-1bde9bf03d0aa",
            "154c7b41108e-4696-a059-1bde9bf03d0a0", "154c7b41-108e-4696-a059-1bde9bf03d0g",
            "{154c7b41-108e-4696-a059-1bde9bf03d0a}", " 154c7b41-108e-4696-a059-1bde9bf03d0a",
            "154c7b41-108e-4696-a059_1bde9bf03d0a", "154c7b41-108e-4696-a059-1bde9bf03déa", "", "not-a-uuid",
        ]
        for text in texts {
            #expect(FractalUUID.canonical(text) == UUID(uuidString: text)?.uuidString.lowercased(), "\(text)")
        }
    }

    @Test func textIsFoundationsInLowercase() {
        for _ in 0..<1000 {
            let uuid = UUID()
            #expect(FractalUUID.text(uuid) == uuid.uuidString.lowercased())
        }
    }
}
