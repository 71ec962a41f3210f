import Foundation
import Testing

@testable import FaafoWire

/// The JSON each wire type reads and writes: its keys, which ones a type leaves out and
/// which it writes as null. Written from JSON text, so that they hold however the types
/// are declared.
@Suite struct WireShapeTests {
    static let uuid = "154c7b41-108e-4696-a059-1bde9bf03d0a"

    static func dictionary(_ data: Data) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func keys(_ data: Data) throws -> [String] { try dictionary(data).keys.sorted() }

    static func nullKeys(_ data: Data) throws -> [String] {
        try dictionary(data).filter { $0.value is NSNull }.keys.sorted()
    }

    /// JSON text that is the same object as `data`, whatever the order of its keys.
    static func sameObject(_ data: Data, _ text: String) throws -> Bool {
        let a = try dictionary(data) as NSDictionary
        let b = try dictionary(Data(text.utf8)) as NSDictionary
        return a.isEqual(b)
    }

    // MARK: the queue message

    static let messageKeys = ["height", "iterations", "uuid", "width", "xa", "xb", "ya", "yb"]

    @Test func aTaskMessageWithoutCLeavesItsKeysOut() throws {
        let text = #"{"uuid":"\#(Self.uuid)","width":2,"height":3,"iterations":4,"xa":-1,"xb":1,"ya":-0.5,"yb":0.5}"#
        let message = try TaskMessage(jsonBody: Data(text.utf8))
        let fast = try message.jsonBody()
        #expect(
            String(decoding: fast, as: UTF8.self)
                == #"{"uuid":"\#(Self.uuid)","width":2,"height":3,"iterations":4,"xa":-1.0,"xb":1.0,"ya":-0.5,"yb":0.5}"#)
        let foundation = try JSONEncoder().encode(message)
        #expect(try Self.keys(foundation) == Self.messageKeys)
        #expect(try Self.sameObject(foundation, text))
    }

    @Test func aTaskMessageWritesCAndSeedLast() throws {
        let text = #"{"seed":18446744073709551615,"cy":0.156,"cx":-0.8,"yb":1.5,"ya":-1.5,"xb":2,"xa":-2,"iterations":255,"height":48,"width":64,"uuid":"\#(Self.uuid)"}"#
        let message = try TaskMessage(jsonBody: Data(text.utf8))
        #expect(
            String(decoding: try message.jsonBody(), as: UTF8.self)
                == #"{"uuid":"\#(Self.uuid)","width":64,"height":48,"iterations":255,"xa":-2.0,"xb":2.0,"ya":-1.5,"yb":1.5,"cx":-0.8,"cy":0.156,"seed":18446744073709551615}"#
        )
        let foundation = try JSONEncoder().encode(message)
        #expect(try Self.keys(foundation) == (Self.messageKeys + ["cx", "cy", "seed"]).sorted())
        #expect(try TaskMessage(jsonBody: foundation) == message)
    }

    // MARK: the API object

    static let objectKeys = [
        "attempts", "checksum", "completed_at", "created_at", "cx", "cy", "duration", "failure", "generated_by",
        "height", "iterations", "pixel_checksum", "seed", "size", "status", "url", "uuid", "width", "xa", "xb", "ya",
        "yb",
    ]

    @Test func aPendingFractalObjectWritesEveryKeyWithNulls() throws {
        let text = #"""
            {"uuid":"\#(Self.uuid)","width":64,"height":48,"iterations":255,"xa":-2,"xb":2,"ya":-1.5,"yb":1.5,
             "status":"pending","created_at":"2026-11-25T16:20:17.123Z","attempts":0}
            """#
        let object = try JSONDecoder().decode(FractalObject.self, from: Data(text.utf8))
        let written = try JSONEncoder().encode(object)
        #expect(try Self.keys(written) == Self.objectKeys)
        #expect(
            try Self.nullKeys(written)
                == [
                    "checksum", "completed_at", "cx", "cy", "duration", "failure", "generated_by", "pixel_checksum", "seed",
                    "size", "url",
                ])
        #expect(try JSONDecoder().decode(FractalObject.self, from: written) == object)
    }

    @Test func aCompletedFractalObjectReadsAndWritesEveryField() throws {
        let text = #"""
            {"uuid":"\#(Self.uuid)","width":649,"height":869,"iterations":362,"xa":-1.77488588389,"xb":3.08249829401,
             "ya":-1.31213919301,"yb":1.95281690897,"duration":4.163147,"size":71585,"checksum":"103c","url":"/fractal/\#(Self.uuid)",
             "generated_by":"worker-1","cx":-0.4,"cy":0.6,"seed":18446744073709551615,"pixel_checksum":"p1x3l",
             "status":"completed","created_at":"2026-11-25T16:20:17.123Z","completed_at":"2026-11-25T16:20:21.286Z",
             "attempts":1,"failure":null}
            """#
        let object = try JSONDecoder().decode(FractalObject.self, from: Data(text.utf8))
        #expect(object.status == .completed && object.attempts == 1 && object.generatedBy == "worker-1")
        let written = try JSONEncoder().encode(object)
        #expect(try Self.keys(written) == Self.objectKeys)
        #expect(try Self.nullKeys(written) == ["failure"])
        #expect(try Self.sameObject(written, text))
    }

    // MARK: the create request

    @Test func aCreateWritesOnlyTheKeysItHas() throws {
        let bare = #"{"width":64,"height":48,"iterations":100,"xa":-2,"xb":2,"ya":-1.5,"yb":1.5}"#
        let create = try JSONDecoder().decode(CreateFractal.self, from: Data(bare.utf8))
        #expect(create.uuid == nil)
        let written = try JSONEncoder().encode(create)
        #expect(try Self.keys(written) == ["height", "iterations", "width", "xa", "xb", "ya", "yb"])
        #expect(try Self.sameObject(written, bare))

        let full = #"{"uuid":"\#(Self.uuid)","width":64,"height":48,"iterations":100,"xa":-2,"xb":2,"ya":-1.5,"yb":1.5,"seed":7,"cx":-0.8,"cy":0.156}"#
        let fullCreate = try JSONDecoder().decode(CreateFractal.self, from: Data(full.utf8))
        #expect(try Self.sameObject(try JSONEncoder().encode(fullCreate), full))
    }

    /// A create's integers are strict: a fraction, a negative seed or a number too large
    /// is reported against its own key, as the API's 400 answers name it.
    @Test(arguments: [
        (#""width":64.5"#, "width"), (#""height":1e30"#, "height"), (#""iterations":2.5"#, "iterations"),
        (#""seed":-1"#, "seed"), (#""seed":18446744073709551616"#, "seed"),
    ])
    func aCreatesIntegersAreStrict(_ replacement: String, _ field: String) throws {
        var fields = [#""width":64"#, #""height":48"#, #""iterations":100"#, #""xa":-2"#, #""xb":2"#, #""ya":-1.5"#, #""yb":1.5"#]
        if let index = fields.firstIndex(where: { $0.hasPrefix("\"\(field)\"") }) {
            fields[index] = replacement
        } else {
            fields.append(replacement)
        }
        let body = Data(("{" + fields.joined(separator: ",") + "}").utf8)
        do {
            _ = try JSONDecoder().decode(CreateFractal.self, from: body)
            Issue.record("\(field): decoded")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.last?.stringValue == field)
            #expect(context.debugDescription.contains("is not an integer"))
        }
    }

    @Test func aCreateWithoutAFieldNamesIt() throws {
        let body = Data(#"{"width":64,"height":48,"xa":-2,"xb":2,"ya":-1.5,"yb":1.5}"#.utf8)
        do {
            _ = try JSONDecoder().decode(CreateFractal.self, from: body)
            Issue.record("decoded")
        } catch DecodingError.keyNotFound(let key, _) {
            #expect(key.stringValue == "iterations")
        }
    }
}
