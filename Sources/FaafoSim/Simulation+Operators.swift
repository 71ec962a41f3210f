import FaafoProbes
import FaafoController
import FaafoWire

/// What operators and clients do to a running deployment besides creating tasks: delete a
/// fractal whose task is in flight, send a create again, restart a worker gracefully.
extension Simulation {
    /// An operator deletes a task's fractal (`DELETE /v1/fractal/<uuid>` on a live
    /// controller). Its task may still be queued or in a worker's hands: whatever comes of
    /// it later must change nothing.
    func deleteTask(_ fault: ScheduledFault) async {
        guard let task = fault.task, requests.deleted[task] == nil else { return }
        let (service, life) = nextLiveController()
        guard let service, let life else { return }
        let uuid = plan.tasks[task].uuid
        do {
            try await trace.acting(as: life.name, for: uuid) { try await service.delete(uuid) }
            requests.deleted[task] = now
            faults.record(fault)
            faultCounts.deletions += 1
            trace.note("delete", actor: "operator", task: uuid, "DELETE answered 204")
        } catch {
            trace.note("delete", actor: "operator", task: uuid, "DELETE failed: \(error)")
        }
        noteIfCrashed(life)
    }

    /// A client sends a task's create again, with its uuid and parameters, after it was
    /// created: the controller must answer with the stored fractal and queue nothing.
    func repeatCreate(_ fault: ScheduledFault) async {
        guard let task = fault.task, requests.deleted[task] == nil else { return }
        let (service, life) = nextLiveController()
        guard let service, let life else { return }
        var request = plan.tasks[task].request
        let other = fault.point == "other"
        if other { request.fractal.iterations += 1 }
        // Every other task's client writes its uuid in capitals, as the wire allows: the
        // API must still find the stored fractal.
        if task % 2 == 1 { request.uuid = request.uuid?.uppercased() }
        let answer: String
        var asStored = false
        var conflict = false
        do {
            let outcome = try await trace.acting(as: life.name, for: plan.tasks[task].uuid) { try await service.create(request) }
            asStored = !outcome.isCreated
            answer = outcome.isCreated ? "created anew" : "the stored fractal"
        } catch let error as FractalServiceError {
            conflict = error.code == .conflict
            answer = "\(error.code.name): \(error.message)"
        } catch {
            answer = "\(error)"
        }
        if noteIfCrashed(life) { return }
        faults.record(fault)
        faultCounts.repeatedCreates += 1
        requests.repeatedCreates[task].append(
            .init(tick: now, answer: answer, asStored: other ? conflict : asStored, otherParameters: other))
        trace.note(
            "create", actor: "client", task: plan.tasks[task].uuid,
            "sent again\(other ? " with other parameters" : "")\(task % 2 == 1 ? ", its uuid in capitals" : ""): \(answer)")
    }

    /// An operator restarts a worker gracefully (SIGTERM), the workers in turn: its
    /// consumer closes, so what it held goes back to the queue; a job waiting to deliver
    /// again stops at once and leaves its task unacknowledged; jobs rendering or
    /// delivering finish (their acknowledgements fail). It starts again after `down-for`.
    func stopWorker(_ scheduled: ScheduledFault?) async {
        let index: Int
        let downFor: Tick
        let waitsFirst: Bool
        if let scheduled {
            guard let target = scheduled.target, !workers[target].crashed else { return }
            index = target
            downFor = scheduled.length ?? scenario.faults.workerStopDownFor
            waitsFirst = scheduled.flag ?? false
        } else {
            guard faultsActive, !workers.isEmpty else { return }
            index = stopCount % workers.count
            stopCount += 1
            guard !workers[index].crashed else { return }
            downFor = scenario.faults.workerStopDownFor
            waitsFirst = operatorRandom.chance(0.5)
        }
        // The restart that ends a wrong-token fault is that fault's, not one of its own.
        if scheduled?.kind != .wrongToken {
            faults.record(ScheduledFault(.workerStop, at: now, target: index, length: downFor, flag: waitsFirst))
        }
        faultCounts.workerStops += 1
        trace.note(
            "stop", actor: workers[index].name, task: nil,
            "SIGTERM (injected); its waits end \(waitsFirst ? "before" : "after") its consumer closes")
        let held = jobs.keys.sorted().filter { jobs[$0]?.worker == index }
        if !held.isEmpty { Probe.hit(.runGracefulStop) }
        // It takes no new delivery from now on.
        workers[index].generation += 1
        workers[index].busy = 0
        workers[index].crashed = true
        // faafo-worker cancels its waits and closes its consumer from two tasks at once:
        // whichever comes first, a task it had not delivered must go back to the queue.
        for id in held {
            jobs[id]?.stopping = true
            guard jobs[id]?.waiting == true else { continue }
            if waitsFirst { await step(id) } else { schedule(.job(id)) }
        }
        if let consumer = workers[index].consumer {
            workers[index].consumer = nil
            await consumer.close()
        }
        schedule(.restartWorker(index), after: downFor)
    }
}
