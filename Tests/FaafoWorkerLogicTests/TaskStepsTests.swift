import FaafoWire
@_spi(Testing) import FaafoWorkerLogic
import Foundation
import FractalCore
import Testing

/// faafo-worker's decisions, one outcome at a time, without any I/O.
@Suite struct TaskStepsTests {
    static let policy = TaskPolicy(name: "w")
    static let rendered = TaskSteps.Rendered(png: Data([1, 2, 3]), checksum: "c", pixelChecksum: "p", duration: 0.5)

    static func body(width: Int = 8) throws -> Data {
        try TaskMessage(
            uuid: "01234567-89ab-4def-8000-000000000000",
            fractal: FractalRequest(width: width, height: 8, iterations: 8, xa: -1, xb: 1, ya: -1, yb: 1, seed: 1)
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

    /// How the world answers a worker's actions.
    struct World {
        var render = TaskSteps.Outcome.rendered(TaskStepsTests.rendered)
        /// The answers to successive deliveries; the last one repeats.
        var deliveries: [TaskSteps.Outcome] = [.accepted]
        var wait = TaskSteps.Outcome.waited
        var reported = true
    }

    /// Runs the steps of one delivery against `world` to the end; returns every step.
    static func steps(
        _ body: Data, redelivered: Bool = false, policy: TaskPolicy = policy, _ world: World = World()
    ) -> [TaskSteps.Step] {
        var steps = TaskSteps(body: body, redelivered: redelivered, policy: policy)
        var step = steps.start()
        var taken: [TaskSteps.Step] = []
        var delivered = 0
        while true {
            taken.append(step)
            let outcome: TaskSteps.Outcome
            switch step.action {
            case .render: outcome = world.render
            case .deliver:
                outcome = world.deliveries[min(delivered, world.deliveries.count - 1)]
                delivered += 1
            case .wait: outcome = world.wait
            case .reportFailure: outcome = .reported(world.reported)
            case .acknowledge, .reject: outcome = .settled
            case .finish: return taken
            }
            if taken.count > 100 { return taken }
            step = steps.next(after: outcome)
        }
    }

    /// The names of the actions of one delivery's steps against `world`.
    static func run(_ body: Data, policy: TaskPolicy = policy, _ world: World = World()) -> [String] {
        steps(body, policy: policy, world).map { name($0.action) }
    }

    @Test func aTaskIsAcknowledgedOnlyAfterTheAPIAcceptedItsResult() throws {
        #expect(Self.run(try Self.body()) == ["render", "deliver", "acknowledge", "finish"])
    }

    @Test func aResultIsDeliveredAsTheAPIExpectsIt() throws {
        let delivery = Self.steps(try Self.body()).compactMap { step -> ResultUpload? in
            if case .deliver(let uuid, let upload) = step.action, uuid == "01234567-89ab-4def-8000-000000000000" {
                upload
            } else {
                nil
            }
        }
        #expect(
            delivery == [ResultUpload(duration: 0.5, checksum: "c", size: 3, image: "AQID", generatedBy: "w", pixelChecksum: "p")])
    }

    @Test func aTransientFailureIsRetriedWithADoublingBackoffUpToItsMaximum() throws {
        let world = World(deliveries: Array(repeating: .failed("503"), count: 8) + [.accepted])
        let actions = Self.run(try Self.body(), world)
        let waits = actions.filter { $0.hasPrefix("wait") }
        #expect(
            waits == [
                "wait 0.1 seconds", "wait 0.2 seconds", "wait 0.4 seconds", "wait 0.8 seconds", "wait 1.6 seconds",
                "wait 3.2 seconds", "wait 5.0 seconds", "wait 5.0 seconds",
            ])
        #expect(actions.suffix(3) == ["deliver", "acknowledge", "finish"])
    }

    @Test func aWorkerStoppingDuringABackoffLeavesTheTaskUnacknowledged() throws {
        let world = World(deliveries: [.failed("503")], wait: .stopping)
        #expect(Self.run(try Self.body(), world) == ["render", "deliver", "wait 0.1 seconds", "finish"])
    }

    @Test func aRefusedResultIsReportedThenDeadLettered() throws {
        #expect(
            Self.run(try Self.body(), World(deliveries: [.refused("409 conflict")]))
                == ["render", "deliver", "report the API refused the result: 409 conflict", "reject", "finish"])
    }

    /// A refused credential is the worker's problem, not the task's: neither reported nor
    /// dead-lettered, and left unacknowledged for the queue to deliver again.
    @Test func anUnauthorizedResultLeavesTheTaskUnacknowledged() throws {
        var steps = TaskSteps(body: try Self.body(), redelivered: false, policy: TaskPolicy(name: "w"))
        _ = steps.start()
        let rendered = TaskSteps.Rendered(png: Data([1]), checksum: "c", pixelChecksum: "p", duration: 0.1)
        guard case .deliver = steps.next(after: .rendered(rendered)).action else {
            Issue.record("a rendered task is delivered")
            return
        }
        let step = steps.next(after: .unauthorized("401 needs worker_token"))
        guard case .finish = step.action, let note = step.note else {
            Issue.record("an unauthorized result finishes the task at once, with a note: \(step.action)")
            return
        }
        #expect(note.level == .error)
        #expect(note.message.contains("worker_token") && note.message.contains("unacknowledged"), "\(note.message)")
    }

    /// A result whose bytes the API found changed is rendered again, three renders at most.
    @Test func aCorruptResultIsRenderedAgainThenGivenUp() throws {
        let once = World(deliveries: [.corrupt("422 checksum is not the image's SHA-256"), .accepted])
        #expect(Self.run(try Self.body(), once) == ["render", "deliver", "render", "deliver", "acknowledge", "finish"])
        let always = World(deliveries: [.corrupt("422 pixel_checksum")])
        #expect(
            Self.run(try Self.body(), always)
                == [
                    "render", "deliver", "render", "deliver", "render", "deliver",
                    "report the API found each of 3 renders corrupt: 422 pixel_checksum", "reject", "finish",
                ])
        let note = Self.steps(try Self.body(), once).compactMap(\.note).first { $0.message.contains("rendering it again") }
        #expect(note?.level == .warning)
    }

    @Test func aTaskThatCannotBeRenderedIsReportedThenDeadLettered() throws {
        #expect(
            Self.run(try Self.body(), World(render: .renderFailed("out of memory"), reported: false))
                == ["render", "report cannot render: out of memory", "reject", "finish"])
    }

    @Test func aMessageOutsideTheContractIsReportedAndOneThatIsNoTaskOnlyDeadLettered() throws {
        let outside = Self.run(try Self.body(width: 0))
        #expect(outside.first?.hasPrefix("report ") == true)
        #expect(outside.dropFirst() == ["reject", "finish"])
        #expect(Self.run(Data("not json".utf8)) == ["reject", "finish"])
    }

    @Test func theLogLinesAreFaafoWorkers() throws {
        let notes = Self.steps(try Self.body(), redelivered: true).compactMap(\.note)
        #expect(
            notes.map(\.message) == [
                "rendering 01234567-89ab-4def-8000-000000000000 (redelivered)",
                "01234567-89ab-4def-8000-000000000000 done in 0.500000 seconds",
            ])
        #expect(notes.map(\.level) == [.info, .info], "a redelivered task's rendering is logged at INFO")
        #expect(Self.steps(try Self.body(), redelivered: false).compactMap(\.note).map(\.level) == [.debug, .info])
    }

    /// The test-only defect: the real machine, switched to acknowledge as soon as it has
    /// rendered, so that checkers can be shown to catch it.
    @Test func theAcknowledgeBeforeDeliveringDefectAcknowledgesFirst() throws {
        var policy = Self.policy
        policy.defect = .acknowledgeBeforeDelivering
        #expect(Self.run(try Self.body(), policy: policy) == ["render", "acknowledge", "deliver", "finish"])
    }
}
