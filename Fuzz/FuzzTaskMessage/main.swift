import FaafoWire
import FaafoWorkerLogic
import Foundation
import FuzzSupport

/// A work-queue message body, as faafo-worker reads it: `TaskMessage(jsonBody:)`, then the
/// worker's first step (decode, validate, c from the seed or the uuid). The hand-written
/// reader must agree with Foundation's on every body it takes, and a message read must
/// come back the same through `jsonBody()`.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = fuzzInput(bytes, size)
    if let plain = TaskMessage.plain(body) {
        let foundation = try? JSONDecoder().decode(TaskMessage.self, from: body)
        precondition(foundation == plain, "the hand-written reader took a body Foundation reads otherwise")
    }
    if let message = try? TaskMessage(jsonBody: body), let written = try? message.jsonBody() {
        precondition((try? TaskMessage(jsonBody: written)) == message, "a message does not survive jsonBody()")
    }
    var steps = TaskSteps(body: body, redelivered: false, policy: TaskPolicy(name: "fuzz"))
    _ = steps.start()
    return 0
}

runFuzzer(fuzz)
