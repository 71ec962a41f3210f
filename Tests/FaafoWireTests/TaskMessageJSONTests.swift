import Foundation
import FractalCore
import Testing

@testable import FaafoWire

/// The hand-written message coding must give Foundation's answers: every body either
/// decodes to what JSONDecoder makes of it, or fails where JSONDecoder fails.
@Suite struct TaskMessageJSONTests {
    static let uuid = "154c7b41-108e-4696-a059-1bde9bf03d0a"

    /// What Foundation makes of a body, the reference for every case.
    static func foundation(_ body: Data) -> TaskMessage? {
        try? JSONDecoder().decode(TaskMessage.self, from: body)
    }

    static func randomMessage(_ random: inout some RandomNumberGenerator) -> TaskMessage {
        func double() -> Double {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: Double.random(in: -2...2, using: &random)
            case 1: Double(Int.random(in: -3...3, using: &random))
            case 2: Double.random(in: -1e-300...1e-300, using: &random)
            default: Double(bitPattern: UInt64.random(in: 0...0x7fef_ffff_ffff_ffff, using: &random))
            }
        }
        let hasC = Bool.random(using: &random)
        return TaskMessage(
            uuid: UUID().uuidString.lowercased(),
            fractal: FractalRequest(
                width: Int.random(in: 1...9999, using: &random), height: Int.random(in: 1...9999, using: &random),
                iterations: Int.random(in: 1...Int.max, using: &random), xa: double(), xb: double(), ya: double(),
                yb: double(), cx: hasC ? double() : nil, cy: hasC ? double() : nil,
                seed: Bool.random(using: &random) ? UInt64.random(in: 0...UInt64.max, using: &random) : nil))
    }

    /// Messages with every kind of number, written by hand and by JSONEncoder, read back
    /// by both readers; the hand-written reader takes each one itself.
    @Test func randomMessagesRoundTripThroughBothCoders() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let message = Self.randomMessage(&random)
            let written = try message.jsonBody()
            let fromFoundation = try JSONEncoder().encode(message)
            #expect(Self.foundation(written) == message)
            #expect(TaskMessage.plain(written) == message)
            #expect(TaskMessage.plain(fromFoundation) == message)
            #expect(try TaskMessage(jsonBody: written) == message)
        }
    }

    @Test func usualBodiesTakeTheFastPath() {
        let bodies = [
            #"{"uuid":"\#(Self.uuid)","width":32,"height":32,"iterations":32,"xa":-1.5,"xb":1.5,"ya":-1,"yb":1}"#,
            #" { "seed" : 7 , "uuid" : "\#(Self.uuid)", "width": 2, "height": 3, "iterations": 4, "xa": 0, "xb": 1e0, "ya": -0.5E-1, "yb": 1E+2, "cx": null, "cy": -0 } "#,
            "{\"uuid\":\"x\",\"width\":1,\"height\":1,\"iterations\":1,\"xa\":0,\"xb\":1,\"ya\":0,\"yb\":1,\"seed\":null}\n",
        ]
        for body in bodies.map({ Data($0.utf8) }) {
            let fast = TaskMessage.plain(body)
            #expect(fast != nil, "\(String(decoding: body, as: UTF8.self))")
            #expect(fast == Self.foundation(body))
        }
    }

    /// Odd or wrong bodies: the fast path declines them or agrees with Foundation, and the
    /// public reader gives Foundation's answer either way.
    @Test(arguments: [
        // Not for the fast path, still messages.
        #"{"uuid":"a\/b","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1,"extra":[1,{"a":null}]}"#,
        #"{"uuid":"é","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":1.0,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":1e2,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#,
        // Not messages at all.
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0}"#,
        #"{"uuid":"x","width":null,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":"1","height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":7,"width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":1.5,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":99999999999999999999,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":1e400,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1,"seed":-1}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1,"seed":18446744073709551616}"#,
        #"{"uuid":"x","width":01,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":.5,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":1.,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":+1,"xb":1,"ya":0,"yb":1}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}x"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1,}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1"#,
        #"{"uuid":"x" "width":1}"#, "[]", "{}", "", "null", "poison: not a task message",
    ])
    func oddBodiesGetFoundationsAnswer(_ text: String) {
        Self.expectFoundationsAnswer(text)
    }

    /// A non-zero number too small for a Double, which the reader took as zero where
    /// Foundation throws (Fuzz/FuzzTaskMessage's find, the first body), and one too large:
    /// an error, as Foundation has it.
    @Test(arguments: [
        #"{"uuid": "b3a1cc0e-3b8c-4c52-9ad0-5e0f7b2f0e2a", "width": 649, "height": 69, "iterations": 362, "xa": -10e-488588389, "xb": 4.08249829401, "ya": -1.31213919301, "yb": 1.95281690897}"#
            + "\n",
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1e-400}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1,"cx":2.4703282292062327e-324,"cy":0}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1,"cx":0,"cy":1e999}"#,
    ])
    func aNumberADoubleCannotHoldIsAnError(_ text: String) {
        let body = Data(text.utf8)
        #expect(TaskMessage.plain(body) == nil)
        #expect(throws: DecodingError.self) { try TaskMessage(jsonBody: body) }
    }

    /// Zero written with any exponent, and the smallest subnormal, are numbers to both readers.
    @Test(arguments: [
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":0.000e-400,"xb":1,"ya":-0e999,"yb":1}"#,
        #"{"uuid":"x","width":1,"height":1,"iterations":1,"xa":4.9e-324,"xb":1,"ya":0,"yb":1}"#,
    ])
    func zeroAndTheSmallestSubnormalTakeTheFastPath(_ text: String) {
        let body = Data(text.utf8)
        #expect(TaskMessage.plain(body) != nil)
        #expect(TaskMessage.plain(body) == Self.foundation(body))
    }

    static func expectFoundationsAnswer(_ text: String) {
        let body = Data(text.utf8)
        let expected = Self.foundation(body)
        if let fast = TaskMessage.plain(body) {
            #expect(fast == expected)
        }
        #expect((try? TaskMessage(jsonBody: body)) == expected)
    }

    /// A key given twice is left to Foundation, whatever it makes of it.
    @Test func aRepeatedKeyIsLeftToFoundation() {
        let body = Data(#"{"uuid":"x","width":1,"width":2,"height":1,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1}"#.utf8)
        #expect(TaskMessage.plain(body) == nil)
        #expect((try? TaskMessage(jsonBody: body)) == Self.foundation(body))
    }

    @Test func writingNamesWhatJSONCannotHold() throws {
        var message = TaskMessage(
            uuid: "x", fractal: FractalRequest(width: 1, height: 1, iterations: 1, xa: 0, xb: 1, ya: 0, yb: 1))
        message.fractal.cx = .nan
        #expect(throws: EncodingError.self) { try message.jsonBody() }
        message.fractal.cx = nil
        message.uuid = "quote \" and slash \\"
        #expect(try TaskMessage(jsonBody: message.jsonBody()) == message)
    }

    /// What Fuzz/FuzzTaskMessage also feeds the reader: nesting, numbers and bytes that no
    /// message holds are a `DecodingError` (and a dead-lettered task), never a trap.
    static let hostileBodies: [Data] = {
        let fields = #""height":2,"iterations":1,"xa":0,"xb":1,"ya":0,"yb":1"#
        let nines = String(repeating: "9", count: 10_000)
        var bodies = [
            #"{"uuid":"# + String(repeating: "[", count: 100_000),
            #"{"a":"# + String(repeating: "{\"a\":", count: 100_000),
            #"{"uuid":"x","width":\#(nines),\#(fields)}"#,
            #"{"uuid":"x","width":2,\#(fields),"cx":1e999999999999999999,"cy":0}"#,
            #"{"uuid":"x","width":2,\#(fields),"seed":18446744073709551616}"#,
            #"{"uuid":"x","width":2,\#(fields),"seed":-1}"#,
        ].map { Data($0.utf8) }
        bodies.append(Data(#"{"uuid":""#.utf8) + [0xff, 0xfe, 0xc3] + Data(#"","width":2,\#(fields)}"#.utf8))
        return bodies
    }()

    @Test(arguments: hostileBodies)
    func hostileBodiesAreDecodingErrors(_ body: Data) {
        #expect(TaskMessage.plain(body) == nil)
        #expect(throws: DecodingError.self) { try TaskMessage(jsonBody: body) }
    }
}
