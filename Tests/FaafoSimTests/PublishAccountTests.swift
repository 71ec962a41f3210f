@testable import FaafoSim
import Testing

/// The checker's account of a task's publishes: each message beyond the first needs a
/// cause, a publish that was not confirmed or not marked, or an outbox claim that could
/// take the task while its create was still publishing it.
@Suite struct PublishAccountTests {
    static func account(attempts: Int, confirmed: Int, marked: Int, excused: Int = 0) -> RequestLog.Publishes {
        var publishes = RequestLog.Publishes()
        publishes.attempts = attempts
        publishes.confirmed = confirmed
        publishes.marked = marked
        publishes.excusedClaims = excused
        return publishes
    }

    @Test func aCreateThatPublishesAndMarksOnceIsNotNeedless() {
        #expect(Self.account(attempts: 1, confirmed: 1, marked: 1).needless == 0)
    }

    @Test func anUnconfirmedOrUnmarkedPublishExcusesOneMore() {
        // Not confirmed, then the outbox's publish.
        #expect(Self.account(attempts: 2, confirmed: 1, marked: 1).needless == 0)
        // Confirmed, but the controller died before marking it; the outbox sent it again.
        #expect(Self.account(attempts: 2, confirmed: 2, marked: 1).needless == 0)
    }

    @Test func anOutboxPassThatTookATaskItsCreateWasPublishingIsNeedless() {
        // The create's publish waited for its confirm; a pass took the task and published
        // it too; both were then marked.
        #expect(Self.account(attempts: 2, confirmed: 2, marked: 2).needless == 1)
        // The same, taken by a controller's first pass after a restart: by design.
        #expect(Self.account(attempts: 2, confirmed: 2, marked: 2, excused: 1).needless == 0)
    }
}
