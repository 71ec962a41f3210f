// Every probe, declared once. The name says where (worker, controller, outbox, store,
// or run for situations the simulator itself sees across processes) and what happened.
extension Probe {
    // faafo-worker's step machine (FaafoWorkerLogic.TaskSteps).
    public static let workerRedelivery = Probe(
        "worker.redelivery", "a worker started a delivery the broker marked redelivered")
    public static let workerNotATask = Probe(
        "worker.not-a-task", "a worker dead-lettered a message that is not a task message")
    public static let workerUnprocessable = Probe(
        "worker.unprocessable", "a worker gave up a task outside its own limits or the render contract")
    public static let workerRenderFailed = Probe(
        "worker.render-failed", "a worker's render failed and it gave the task up")
    public static let workerRetry = Probe(
        "worker.retry", "a result delivery failed for now and the worker waits to try again")
    public static let workerBackoffAtMaximum = Probe(
        "worker.backoff-at-maximum", "a worker's wait between deliveries reached its maximum")
    public static let workerRefused = Probe(
        "worker.refused", "the API refused a result for good and the worker gave the task up")
    public static let workerRenderAgain = Probe(
        "worker.render-again", "the API found a result corrupt and the worker renders the task again")
    public static let workerCorruptGiveUp = Probe(
        "worker.corrupt-give-up", "every render of a task reached the API corrupt and the worker gave it up")
    public static let workerUnauthorized = Probe(
        "worker.unauthorized", "the API refused the worker's credential; the task stays unacknowledged")
    public static let workerStoppedWaiting = Probe(
        "worker.stopped-waiting", "a worker told to stop left a task unacknowledged while waiting to deliver")
    public static let workerFailureNotRecorded = Probe(
        "worker.failure-not-recorded", "a worker's failure report did not get through")

    // The controller (FaafoController.FractalService).
    public static let controllerCreateRepeated = Probe(
        "controller.create-repeated", "a create named a stored uuid with the same task: nothing queued again")
    public static let controllerCreateConflict = Probe(
        "controller.create-conflict", "a create named a stored uuid with another task (409)")
    public static let controllerPublishUnconfirmed = Probe(
        "controller.publish-unconfirmed", "a stored task's publish was not confirmed; it waits in the outbox")
    public static let controllerStoreUnavailable = Probe(
        "controller.store-unavailable", "a store call failed and the request answered 503")
    public static let controllerResultCompleted = Probe(
        "controller.result-completed", "a result completed a pending fractal")
    public static let controllerResultAfterFailure = Probe(
        "controller.result-after-failure", "a result completed a fractal a worker had given up (a result outranks a failure)")
    public static let controllerResultDuplicate = Probe(
        "controller.result-duplicate", "the same result again for a completed fractal: nothing changed")
    public static let controllerResultConflict = Probe(
        "controller.result-conflict", "a result with another checksum for a completed fractal: a determinism violation (409)")
    public static let controllerResultForMissing = Probe(
        "controller.result-for-missing", "a result for a fractal that is not stored, or was deleted (404)")
    public static let controllerResultCorrupt = Probe(
        "controller.result-corrupt", "a result whose image does not match its own checksums (422)")
    public static let controllerResultInvalid = Probe(
        "controller.result-invalid", "a result refused as invalid for the fractal (400)")
    public static let controllerFailureRecorded = Probe(
        "controller.failure-recorded", "a failure report turned a pending fractal failed")
    public static let controllerFailureAfterResult = Probe(
        "controller.failure-after-result", "a failure report for a completed fractal: its result stands (409)")
    public static let controllerFailureRepeated = Probe(
        "controller.failure-repeated", "a second failure report for a failed fractal: the first stands")
    public static let controllerFailureForMissing = Probe(
        "controller.failure-for-missing", "a failure report for a fractal that is not stored, or was deleted (404)")
    public static let controllerDeleted = Probe(
        "controller.deleted", "a fractal was deleted")

    // The outbox (FractalService.publishOutbox).
    public static let outboxPublished = Probe(
        "outbox.published", "the outbox published a stored task whose first publish was never confirmed")
    public static let outboxReleased = Probe(
        "outbox.released", "an outbox publish failed and its claim was released for the next pass")

    // Situations only the simulator sees whole, across processes.
    public static let runCrashAfterStoreBeforeAck = Probe(
        "run.crash-after-store-before-ack", "a worker died after the API stored its result, before it acknowledged the task")
    public static let runStoredTaskDeliveredAgain = Probe(
        "run.stored-task-delivered-again", "a worker took a delivery of a task that was completed already")
    public static let runOutboxAfterRestart = Probe(
        "run.outbox-after-restart", "a restarted controller published tasks that an earlier life left in the outbox")
    public static let runLateResultAfterPartition = Probe(
        "run.late-result-after-partition", "a result from a host whose partition the broker noticed reached the API after the link came back")
    public static let runFailureRacesResult = Probe(
        "run.failure-races-result", "a failure report and a result for one fractal both reached the API")
    public static let runControllerCrashInside = Probe(
        "run.controller-crash-inside", "a controller died between two calls of one of its operations")
    public static let runCorruptResultSent = Probe(
        "run.corrupt-result-sent", "a result with flipped bytes left a worker")
    public static let runDisagreeingResultSent = Probe(
        "run.disagreeing-result-sent", "a worker that renders outside the render contract sent a result")
    public static let runResultForDeleted = Probe(
        "run.result-for-deleted", "a result reached the API for a fractal an operator had deleted")
    public static let runSkewedClaim = Probe(
        "run.skewed-claim", "a controller claimed outbox rows another controller's clock still held")
    public static let runGracefulStop = Probe(
        "run.graceful-stop", "a worker stopped on SIGTERM with tasks in hand")
    public static let runAckLost = Probe(
        "run.ack-lost", "a worker's connection dropped before the broker took its acknowledgement")
    public static let runDoneBeforeCreateReturned = Probe(
        "run.done-before-create-returned", "a task was completed while the publish that queued it still waited for the broker's confirm")

    /// Every probe, by name.
    public static let all: [Probe] = [
        workerRedelivery, workerNotATask, workerUnprocessable, workerRenderFailed, workerRetry, workerBackoffAtMaximum,
        workerRefused, workerRenderAgain, workerCorruptGiveUp, workerUnauthorized, workerStoppedWaiting,
        workerFailureNotRecorded,
        controllerCreateRepeated, controllerCreateConflict, controllerPublishUnconfirmed, controllerStoreUnavailable,
        controllerResultCompleted, controllerResultAfterFailure, controllerResultDuplicate, controllerResultConflict,
        controllerResultForMissing, controllerResultCorrupt, controllerResultInvalid, controllerFailureRecorded,
        controllerFailureAfterResult, controllerFailureRepeated, controllerFailureForMissing, controllerDeleted,
        outboxPublished, outboxReleased,
        runCrashAfterStoreBeforeAck, runStoredTaskDeliveredAgain, runOutboxAfterRestart, runLateResultAfterPartition,
        runFailureRacesResult, runControllerCrashInside, runCorruptResultSent, runDisagreeingResultSent,
        runResultForDeleted, runSkewedClaim, runGracefulStop, runAckLost, runDoneBeforeCreateReturned,
    ].sorted()
}
