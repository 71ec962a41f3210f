import FaafoWire
@_spi(Testing) import FaafoWorkerLogic
import Foundation
import Testing

/// faafo-worker's decisions, one outcome at a time, without any I/O.
@Suite struct TaskStepsTests {
    static let policy = TaskPolicy(name: "w")
    static let rendered = TaskSteps.Rendered(png: Data([1, 2, 3]), checksum: "c", pixelChecksum: "p", duration: 0.5)

    static func body(width: Int = 8) throws -> Data {
        try TaskMessage(
            uuid: "01234567-89ab-4def-8000-000000000000", width: width, height: 8, iterations: 8, xa: -1, xb: 1,
            ya: -1, yb: 1, seed: 1
        ).jsonBody()
    }

    /// The action's name, to compare sequences of steps.
    static func name(_ action: TaskSteps.Action) -> String {
        switch action {
        case .render: "render"
        case .deliver: "deliver"
        case .wait(let delay): "wait \(delay)"
        case .reportFailure(_, let failure): "report \(failure.reason)"
        case .acknowledge: "acknowledge"
        case .reject: "reject"
        case .finish: "finish"
        }
    }

    /// Starts the steps, then answers each action with the next outcome; returns the actions.
    static func run(_ body: Data, policy: TaskPolicy = policy, _ outcomes: [TaskSteps.Outcome]) -> [String] {
        var steps = TaskSteps(body: body, redelivered: false, policy: policy)
        var actions = [name(steps.start().action)]
        for outcome in outcomes { actions.append(name(steps.next(after: outcome).action)) }
        return actions
    }

    @Test func aTaskIsAcknowledgedOnlyAfterTheAPIAcceptedItsResult() throws {
        #expect(
            Self.run(try Self.body(), [.rendered(Self.rendered), .accepted, .settled])
                == ["render", "deliver", "acknowledge", "finish"])
    }

    @Test func aResultIsDeliveredAsTheAPIExpectsIt() throws {
        var steps = TaskSteps(body: try Self.body(), redelivered: false, policy: Self.policy)
        _ = steps.start()
        guard case .deliver(let uuid, let upload) = steps.next(after: .rendered(Self.rendered)).action else {
            Issue.record("no delivery after the render")
            return
        }
        #expect(uuid == "01234567-89ab-4def-8000-000000000000")
        #expect(upload == ResultUpload(duration: 0.5, checksum: "c", size: 3, image: "AQID", generatedBy: "w", pixelChecksum: "p"))
    }

    @Test func aTransientFailureIsRetriedWithADoublingBackoffUpToItsMaximum() throws {
        var outcomes: [TaskSteps.Outcome] = [.rendered(Self.rendered)]
        for _ in 0..<8 { outcomes += [.failed("503"), .waited] }
        let actions = Self.run(try Self.body(), outcomes + [.accepted, .settled])
        let waits = actions.filter { $0.hasPrefix("wait") }
        #expect(
            waits == [
                "wait 0.1 seconds", "wait 0.2 seconds", "wait 0.4 seconds", "wait 0.8 seconds", "wait 1.6 seconds",
                "wait 3.2 seconds", "wait 5.0 seconds", "wait 5.0 seconds",
            ])
        #expect(actions.suffix(3) == ["deliver", "acknowledge", "finish"])
    }

    @Test func aWorkerStoppingDuringABackoffLeavesTheTaskUnacknowledged() throws {
        #expect(
            Self.run(try Self.body(), [.rendered(Self.rendered), .failed("503"), .stopping])
                == ["render", "deliver", "wait 0.1 seconds", "finish"])
    }

    @Test func aRefusedResultIsReportedThenDeadLettered() throws {
        #expect(
            Self.run(try Self.body(), [.rendered(Self.rendered), .refused("409 conflict"), .reported(true), .settled])
                == ["render", "deliver", "report the API refused the result: 409 conflict", "reject", "finish"])
    }

    @Test func aTaskThatCannotBeRenderedIsReportedThenDeadLettered() throws {
        #expect(
            Self.run(try Self.body(), [.renderFailed("out of memory"), .reported(false), .settled])
                == ["render", "report cannot render: out of memory", "reject", "finish"])
    }

    @Test func aMessageOutsideTheContractIsReportedAndOneThatIsNoTaskOnlyDeadLettered() throws {
        let outside = Self.run(try Self.body(width: 0), [.reported(true), .settled])
        #expect(outside.first?.hasPrefix("report ") == true)
        #expect(outside.dropFirst() == ["reject", "finish"])
        #expect(Self.run(Data("not json".utf8), [.settled]) == ["reject", "finish"])
    }

    @Test func theLogLinesAreFaafoWorkers() throws {
        var steps = TaskSteps(body: try Self.body(), redelivered: true, policy: Self.policy)
        #expect(steps.start().note?.message == "rendering 01234567-89ab-4def-8000-000000000000 (redelivered)")
        _ = steps.next(after: .rendered(Self.rendered))
        _ = steps.next(after: .accepted)
        let done = steps.next(after: .settled).note
        #expect(done?.message == "01234567-89ab-4def-8000-000000000000 done in 0.500000 seconds")
        #expect(done?.level == .info)
    }

    /// The test-only defect: the real machine, switched to acknowledge as soon as it has
    /// rendered, so that checkers can be shown to catch it.
    @Test func theAcknowledgeBeforeDeliveringDefectAcknowledgesFirst() throws {
        var policy = Self.policy
        policy.defect = .acknowledgeBeforeDelivering
        #expect(
            Self.run(try Self.body(), policy: policy, [.rendered(Self.rendered), .settled, .accepted])
                == ["render", "acknowledge", "deliver", "finish"])
    }
}
