import FaafoController
import FaafoProbes
import FaafoWire
import FractalCore
import Foundation
import WorkQueue

/// The controllers and the clients: creates come in through `FractalService.create`, as
/// faafo-api's POST handler calls it; a controller can die inside any of its operations,
/// right after a named call (`ControllerLife`); a dead one is dropped and a new one made
/// over the same store, which publishes its outbox first.
extension Simulation {
    func startController(_ index: Int) async {
        controllers[index].generation += 1
        let generation = controllers[index].generation
        let source = ServiceEnvironmentSource(clock: clock, skew: skews[index])
        let identities = self.identities
        let environment = ServiceEnvironment(
            now: { source.now() }, newUUID: { identities.uuid() }, newSeed: { identities.next() })
        let life = ControllerLife(index: index, generation: generation, environment: source, simulation: self)
        let service = FractalService(
            store: LifeStore(life: life, base: store), queue: LifeQueue(life: life, base: broker),
            environment: environment, logger: silent)
        controllers[index].service = service
        controllers[index].life = life
        controllers[index].crashPending = false
        trace.note("start", actor: life.name, task: nil, "life \(generation)")
        life.inFirstPass = true
        let published = await trace.acting(as: life.name, for: nil) {
            await service.publishOutbox(
                createdBefore: OutboxPublisher.cutoff(firstPass: true, now: environment.now(), grace: outboxGrace))
        }
        life.inFirstPass = false
        if published > 0, generation > 1 { Probe.hit(.runOutboxAfterRestart) }
        if noteIfCrashed(life) { return }
        schedule(.publishOutbox(controller: index, generation: generation), after: outboxInterval)
    }

    func publishOutbox(_ index: Int, generation: Int) async {
        guard controllers[index].generation == generation, let service = controllers[index].service,
            let life = controllers[index].life
        else { return }
        await trace.acting(as: life.name, for: nil) {
            _ = await service.publishOutbox(
                createdBefore: OutboxPublisher.cutoff(firstPass: false, now: service.environment.now(), grace: outboxGrace))
        }
        if noteIfCrashed(life) { return }
        schedule(.publishOutbox(controller: index, generation: generation), after: outboxInterval)
    }

    /// The broker's confirm of a controller's publish of `task` (its message queued) may
    /// come late (`slow-confirm`): the operation that published it (a create, an outbox
    /// pass) parks until then, while the rest of the run goes on: workers taking and
    /// finishing the task, other creates, outbox passes, crashes, other late confirms.
    func confirmLate(_ task: Int, _ uuid: String, by life: ControllerLife) async {
        guard let operation = SimulatedOperation.current else { return }
        let publish = requests.publishes[task].attempts
        let maximum = scenario.faults.slowConfirmMax
        guard
            let late = faults.strike(
                .init(kind: .slowConfirm, task: task, occurrence: publish, point: nil),
                chance: scenario.faults.slowConfirm, active: faultsActive, random: &confirmRandom,
                make: { random in
                    ScheduledFault(.slowConfirm, task: task, occurrence: publish, length: Tick(random.int(in: 1...Int(maximum))))
                })
        else { return }
        let delay = late.length ?? 0
        life.note("publish", uuid, "queued; the broker's confirm comes \(Self.seconds(delay)) late")
        schedule(.wakeOperation(operation), after: delay)
        await operation.park()
        if (try? await store.base.fetch(uuid))?.status == .completed { Probe.hit(.runDoneBeforeCreateReturned) }
    }

    /// The next controller that is up, round-robin, for a worker's result; nil if none is.
    func nextLiveController() -> (FractalService?, ControllerLife?) {
        for offset in 0..<controllers.count {
            let index = (resultCursor + offset) % controllers.count
            if let service = controllers[index].service {
                resultCursor = (index + 1) % controllers.count
                return (service, controllers[index].life)
            }
        }
        return (nil, nil)
    }

    /// A client posts a task to a controller (round-robin, the next one on each retry).
    /// A failed or cut-off create is tried again later with the same uuid, as a client
    /// whose connection dropped would.
    func arrive(_ taskIndex: Int, attempt: Int) async {
        let task = plan.tasks[taskIndex]
        if attempt == 0, let position = nextActive[taskIndex] {
            agenda.schedule(.arrive(task: position, attempt: 0), at: plan.tasks[position].arrival)
        }
        let index = (taskIndex + attempt) % controllers.count
        guard let service = controllers[index].service, let life = controllers[index].life else {
            trace.note("create", actor: "client", task: task.uuid, "attempt \(attempt + 1): no controller \(index + 1) to take it")
            return retry(taskIndex, attempt)
        }
        createCounts[taskIndex] += 1
        let outcome: FractalService.CreateOutcome
        do {
            outcome = try await trace.acting(as: life.name, for: task.uuid) { try await service.create(task.request) }
        } catch {
            if noteIfCrashed(life) {
                // The controller died during this create: stored or not, never confirmed.
                counters.cutOffCreates += 1
                trace.note("create", actor: "client", task: task.uuid, "attempt \(attempt + 1): cut off by the crash")
            } else {
                counters.createErrors += 1
                trace.note("create", actor: "client", task: task.uuid, "attempt \(attempt + 1): \(error)")
            }
            return retry(taskIndex, attempt)
        }
        if noteIfCrashed(life) {
            counters.cutOffCreates += 1
            trace.note("create", actor: "client", task: task.uuid, "attempt \(attempt + 1): cut off by the crash")
            return retry(taskIndex, attempt)
        }
        arrived += 1
        let object = outcome.object
        trace.note(
            "create", actor: "client", task: task.uuid,
            "attempt \(attempt + 1): \(outcome.isCreated ? "created" : "existing") by \(life.name)")
        guard outcome.isCreated, object.status == .pending else { return }
        await afterCreate(taskIndex, object)
    }

    /// The faults a create can set off: a duplicate delivery, a failure race, a deletion
    /// or a repeat of the create later.
    func afterCreate(_ taskIndex: Int, _ object: FractalObject) async {
        if faults.strike(
            .init(kind: .duplicateDelivery, task: taskIndex, occurrence: 1, point: nil),
            chance: scenario.faults.duplicateDelivery, active: faultsActive, random: &duplicateRandom,
            make: { _ in ScheduledFault(.duplicateDelivery, task: taskIndex) }) != nil
        {
            await deliverTwice(object)
        }
        if let race = faults.strike(
            .init(kind: .failureRace, task: taskIndex, occurrence: 1, point: nil), chance: scenario.faults.failureRace,
            active: faultsActive, random: &giveUpRandom,
            make: { random in
                ScheduledFault(
                    .failureRace, task: taskIndex, occurrence: random.int(in: 1...2),
                    length: Self.failureTime(object.fractal, &random))
            })
        {
            // Two deliveries, and the render of one of them fails after a while: one
            // worker reports a failure while another delivers the result, in either order.
            failureRaces[taskIndex] = race
            await deliverTwice(object)
        }
        if faults.isExplicit {
            for fault in faults.timed where fault.task == taskIndex {
                if fault.kind == .deletion { agenda.schedule(.delete(fault), at: max(now, fault.at ?? now)) }
                if fault.kind == .repeatedCreate { agenda.schedule(.repeatCreate(fault), at: max(now, fault.at ?? now)) }
            }
            return
        }
        guard faultsActive else { return }
        if operatorRandom.chance(scenario.faults.deletion) {
            let at = now + Tick(operatorRandom.int(in: 0...Int(scenario.faults.deleteWithin)))
            agenda.schedule(.delete(ScheduledFault(.deletion, task: taskIndex, at: at)), at: at)
        }
        if operatorRandom.chance(scenario.faults.repeatedCreate) {
            let at = now + Tick(operatorRandom.int(in: 0...Int(scenario.faults.repeatWithin)))
            let parameters = operatorRandom.chance(0.5) ? "other" : "same"
            agenda.schedule(
                .repeatCreate(ScheduledFault(.repeatedCreate, task: taskIndex, at: at, point: parameters)), at: at)
        }
    }

    /// How long a render of `request` runs before an injected failure: up to as long as it
    /// could take, drawn.
    static func failureTime(_ request: FractalRequest, _ random: inout SimulationRandom) -> Tick {
        guard let parameters = try? request.validated() else { return 0 }
        return Tick(random.unit() * Double(CostModel.estimate(parameters)))
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
            trace.note("duplicate", actor: "broker", task: fractal.uuid, "the message will be delivered twice (injected)")
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
            trace.note("publish", actor: "client", task: poison.messageID, "a poison message")
        } catch {
            preconditionFailure("the simulator's queue refused a message: \(error)")
        }
    }

    /// The broker restarts: every consumer's channel closes, so what the workers held
    /// goes back to the queue (redelivered); their jobs run on and their acknowledgements
    /// fail. Publishing and consuming fail until it is back.
    func restartBroker(_ scheduled: ScheduledFault?) async {
        guard scheduled != nil || faultsActive, broker.isUp else { return }
        let downFor = scheduled?.length ?? scenario.faults.brokerDownFor
        faults.record(ScheduledFault(.brokerRestart, at: now, length: downFor))
        faultCounts.brokerRestarts += 1
        trace.note("broker-restart", actor: "fault", task: nil, "down for \(Self.seconds(downFor))")
        broker.isUp = false
        for index in workers.indices {
            guard let consumer = workers[index].consumer else { continue }
            workers[index].consumer = nil
            await consumer.close()
        }
        schedule(.brokerBack, after: downFor)
    }

    /// The broker is back: every worker that has not crashed consumes again.
    func brokerBack() {
        broker.isUp = true
        trace.note("back", actor: "broker", task: nil)
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
        if arrived < plan.active.count {
            controllers[index].crashPending = true
        } else {
            faults.record(ScheduledFault(.controllerCrash, at: now, target: index))
            faultCounts.controllerCrashes += 1
            takeDown(index)
        }
    }

    /// A scheduled crash of a controller at a moment, outside any operation.
    func crashControllerNow(_ fault: ScheduledFault) {
        guard let index = fault.target, controllers[index].service != nil else { return }
        faults.record(fault)
        faultCounts.controllerCrashes += 1
        takeDown(index)
    }

    /// Whether the controller dies right after this call (its life then ends): a crash
    /// that `crashController` left pending strikes the next create after its insert; else
    /// one drawn at this point, or scheduled for it.
    func controllerCrashes(_ life: ControllerLife, after point: Scenario.ControllerPoint, uuid: String) -> Bool {
        guard controllerCrashesPossible, let task = task(uuid) else { return false }
        let site = FaultPlan.Site(kind: .controllerCrash, task: task, occurrence: 0, point: point.rawValue)
        pointPasses[site, default: 0] += 1
        let pass = pointPasses[site]!
        let make = { (_: inout SimulationRandom) in
            ScheduledFault(.controllerCrash, task: task, occurrence: pass, point: point.rawValue)
        }
        let crashes: Bool
        if point == .afterInsert, controllers[life.index].crashPending, controllers[life.index].life === life {
            var unused = SimulationRandom(seed: 0)
            faults.record(make(&unused))
            crashes = true
        } else {
            crashes =
                faults.strike(
                    .init(kind: .controllerCrash, task: task, occurrence: pass, point: point.rawValue),
                    chance: scenario.faults.controllerCrashPoints[point] ?? 0, active: faultsActive,
                    random: &controllerRandom, make: make) != nil
        }
        guard crashes else { return false }
        faultCounts.controllerCrashes += 1
        Probe.hit(.runControllerCrashInside)
        trace.note("crash", actor: life.name, task: uuid, "SIGKILL \(point.rawValue) (injected)")
        return true
    }

    /// If this life died during the call just made, takes its controller down. Returns
    /// whether it did.
    @discardableResult
    func noteIfCrashed(_ life: ControllerLife?) -> Bool {
        guard let life, !life.isAlive else { return false }
        if controllers[life.index].life === life { takeDown(life.index) }
        return true
    }

    func takeDown(_ index: Int) {
        controllers[index].life?.die()
        if let life = controllers[index].life { trace.note("down", actor: life.name, task: nil) }
        controllers[index].service = nil
        controllers[index].life = nil
        controllers[index].crashPending = false
        controllers[index].generation += 1
        schedule(.restartController(index), after: scenario.faults.controllerDownFor)
    }

    /// Notes a time a controller hands its store that is not its own clock's now: a
    /// record stamped with another moment (the checker fails the run on it).
    func checkTime(_ date: Date, of uuid: String, by life: ControllerLife, what: String) {
        let now = life.environment.now()
        guard abs(date.timeIntervalSince(now)) > 0.000_001, let task = task(uuid) else { return }
        wrongTimes.append(
            "\(plan.tasks[task].uuid): \(what) \(date.timeIntervalSince1970) from \(life.name), whose clock said \(now.timeIntervalSince1970)")
    }

    /// A claim ended: its row was published, or released.
    func endClaim(_ uuid: String) { claims[uuid] = nil }

    /// A pass is done with a claimed row whose release failed: its lease still holds it.
    func stopPublishing(_ uuid: String) { claims[uuid]?.publishing = false }

    /// Notes outbox claims, and counts a claim that takes rows another controller's claim
    /// still holds by the true time (a clock that runs ahead sees it as ended; the probe), or
    /// that another live controller is still publishing, whatever its lease said.
    func noteClaims(_ uuids: [String], by life: ControllerLife, until: Date) {
        let lease = until.timeIntervalSince(life.environment.now())
        let end = now + Tick(max(0, lease) * Double(ticksPerSecond))
        for uuid in uuids {
            if let held = claims[uuid], held.life !== life {
                if held.until > now, held.life.index != life.index {
                    Probe.hit(.runSkewedClaim)
                    claimOverlaps += 1
                } else if held.life.isAlive, held.publishing {
                    claimOverlaps += 1
                }
            }
            claims[uuid] = (life, end, true)
        }
    }
}

extension FractalService.CreateOutcome {
    var isCreated: Bool {
        if case .created = self { return true }
        return false
    }
}
