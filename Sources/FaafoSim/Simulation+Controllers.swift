import FaafoController
import FaafoWire
import Foundation
import WorkQueue

/// The controllers and the clients: creates come in through `FractalService.create`, as
/// faafo-api's POST handler calls it; a crashed controller is dropped and a new one made
/// over the same store, which publishes its outbox first.
extension Simulation {
    func makeService(queue: any WorkQueue) -> FractalService {
        FractalService(store: store, queue: queue, environment: environment, logger: silent)
    }

    func startController(_ index: Int) async {
        let service = makeService(queue: broker)
        controllers[index].service = service
        controllers[index].generation += 1
        controllers[index].crashPending = false
        await service.publishOutbox(createdBefore: environment.now())
        schedule(.publishOutbox(controller: index, generation: controllers[index].generation), after: outboxInterval)
    }

    func publishOutbox(_ index: Int, generation: Int) async {
        guard controllers[index].generation == generation, let service = controllers[index].service else { return }
        await service.publishOutbox(createdBefore: environment.now().addingTimeInterval(-outboxGrace))
        schedule(.publishOutbox(controller: index, generation: generation), after: outboxInterval)
    }

    /// The next controller that is up, round-robin, for a worker's result; nil if none is.
    func nextLiveController() -> FractalService? {
        for offset in 0..<controllers.count {
            let index = (resultCursor + offset) % controllers.count
            if let service = controllers[index].service {
                resultCursor = (index + 1) % controllers.count
                return service
            }
        }
        return nil
    }

    /// A client posts a task to a controller (round-robin, the next one on each retry).
    /// A failed or cut-off create is tried again later with the same uuid, as a client
    /// whose connection dropped would.
    func arrive(_ taskIndex: Int, attempt: Int) async {
        let task = plan.tasks[taskIndex]
        if attempt == 0, taskIndex + 1 < plan.tasks.count {
            agenda.schedule(.arrive(task: taskIndex + 1, attempt: 0), at: plan.tasks[taskIndex + 1].arrival)
        }
        let index = (taskIndex + attempt) % controllers.count
        guard let service = controllers[index].service else {
            return retry(taskIndex, attempt)
        }
        if controllers[index].crashPending {
            // The controller dies during this create: stored, but never confirmed by the queue.
            _ = try? await makeService(queue: SeveredQueue()).create(task.request)
            counters.cutOffCreates += 1
            takeDown(index)
            return retry(taskIndex, attempt)
        }
        do {
            let outcome = try await service.create(task.request)
            arrived += 1
            if case .created(let fractal) = outcome, fractal.status == .pending, faultsActive,
                duplicateRandom.chance(scenario.faults.duplicateDelivery)
            {
                await deliverTwice(fractal)
            }
        } catch {
            counters.createErrors += 1
            retry(taskIndex, attempt)
        }
    }

    func retry(_ taskIndex: Int, _ attempt: Int) {
        schedule(.arrive(task: taskIndex, attempt: attempt + 1), after: clientRetry << Tick(min(attempt, 6)))
    }

    /// The broker delivers a task's message a second time (at-least-once delivery).
    func deliverTwice(_ fractal: FractalObject) async {
        guard let body = try? TaskMessage(fractal).jsonBody() else { return }
        // While the broker restarts there is no second delivery to make.
        if (try? await broker.publish(body, messageID: fractal.uuid)) != nil {
            faultCounts.duplicateDeliveries += 1
        }
    }

    func publishPoison(_ index: Int) async {
        let poison = plan.poison[index]
        guard broker.isUp else {
            // Published once the broker is back, as a client would retry.
            return schedule(.poison(index), after: scenario.faults.brokerDownFor)
        }
        do {
            try await broker.publish(poison.body, messageID: poison.messageID)
            poisonPublished += 1
        } catch {
            preconditionFailure("the simulator's queue refused a message: \(error)")
        }
    }

    /// The broker restarts: every consumer's channel closes, so what the workers held
    /// goes back to the queue (redelivered); their jobs run on and their acknowledgements
    /// fail. Publishing and consuming fail until it is back.
    func restartBroker() async {
        guard faultsActive, broker.isUp else { return }
        faultCounts.brokerRestarts += 1
        broker.isUp = false
        for index in workers.indices {
            guard let consumer = workers[index].consumer else { continue }
            workers[index].consumer = nil
            await consumer.close()
        }
        schedule(.brokerBack, after: scenario.faults.brokerDownFor)
    }

    /// The broker is back: every worker that has not crashed consumes again.
    func brokerBack() {
        broker.isUp = true
        for index in workers.indices where !workers[index].crashed { startWorker(index) }
    }

    func scheduleControllerCrashes() {
        for tick in scenario.faults.controllerCrashAt { agenda.schedule(.crashController, at: tick) }
        if let every = scenario.faults.controllerCrashEvery { schedule(.crashController, after: every) }
    }

    /// A controller crashes: in the middle of its next create if tasks are still coming
    /// (that one stays in the outbox), at once otherwise. Controllers crash in turn.
    func crashController() {
        if let every = scenario.faults.controllerCrashEvery, faultsActive {
            schedule(.crashController, after: every)
        }
        guard faultsActive else { return }
        let index = crashCount % controllers.count
        crashCount += 1
        guard controllers[index].service != nil, !controllers[index].crashPending else { return }
        faultCounts.controllerCrashes += 1
        if arrived < plan.tasks.count {
            controllers[index].crashPending = true
        } else {
            takeDown(index)
        }
    }

    func takeDown(_ index: Int) {
        controllers[index].service = nil
        controllers[index].crashPending = false
        controllers[index].generation += 1
        schedule(.restartController(index), after: scenario.faults.controllerDownFor)
    }
}
