import Testing

@testable import FaafoSim

/// A result with no pixel checksum (an original faafo worker's) is judged as not made by
/// the render contract, not as a wrong checksum.
@Suite struct OutsideContractTests {
    @Test func aResultOutsideTheContractFailsTheRunAndIsNamedSo() {
        var tally = Tally(total: 3)
        tally.account.completed = 3
        tally.count(.outsideContract, "00000000-0000-4000-8000-000000000001")
        var judge = Judge(examples: tally.examples)
        judge.judge(
            tally.account, poison: .init(), conflictingResults: 0, redeliveries: 0, expect: Scenario.Expectations(),
            stallReason: "")
        #expect(judge.verdict == .correctness)
        #expect(tally.account.outsideContract == 1 && tally.account.wrongChecksum == 0)
        let sentence = judge.failures.joined(separator: "\n")
        #expect(sentence.contains("not made by the render contract"), "\(sentence)")
        #expect(sentence.contains("00000000-0000-4000-8000-000000000001"), "\(sentence)")
    }
}
