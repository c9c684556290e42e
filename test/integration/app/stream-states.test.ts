import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createCommandHandler } from '../../../src/app/command-handler.js'
import { loadAggregate, loadCurrent } from '../../../src/app/load-aggregate.js'
import { seedScenario } from '../../../src/app/seed-scenario.js'
import { type DomainCommand, type VisitState, visitDecider } from '../../../src/domain/index.js'
import { openTestPostgres } from '../../helpers/postgres.js'

const actor = 'analyst@entente'

/** The seed article's visit: its scheduling, and one of its engagements to add. */
function seedVisit() {
  const scenario = seedScenario({ newId: randomUUID, actor }).map((r) => r.command)
  const schedule = scenario.find((c) => c.type === 'ScheduleVisit')!
  const engagements = scenario.filter((c) => c.type === 'AddEngagement')
  const visitId = (schedule.data as { visitId: string }).visitId
  return { schedule, engagements, visitId }
}

/** The same engagement under a new id, so that it can be added again. */
function again(command: DomainCommand): DomainCommand {
  const data = command.data as { engagement: { engagementId: string } }
  return {
    ...command,
    data: { ...data, engagement: { ...data.engagement, engagementId: randomUUID() } },
  } as DomainCommand
}

t.test(
  'a handler that holds a stream’s state decides on what another process appended since',
  async (t) => {
    const log = await openTestPostgres(t)
    // Two handlers, as two processes: each holds the states it loaded.
    const here = createCommandHandler({ log })
    const elsewhere = createCommandHandler({ log })
    const { schedule, engagements, visitId } = seedVisit()
    await here(schedule)
    const added = await here(engagements[0]!)
    t.equal(added.nextExpectedVersion, 2)

    const cancel = {
      type: 'CancelVisit',
      data: { visitId, reason: 'postponed' },
      metadata: schedule.metadata,
    } as DomainCommand
    await elsewhere(cancel)

    // `here` held the visit as scheduled (loaded for its second command); the log says cancelled.
    const refused = await here(again(engagements[1]!)).then(
      () => undefined,
      (e: unknown) => e as { rule?: string; message?: string },
    )
    t.ok(refused, 'the engagement is refused')
    t.match(refused?.message, /cancelled/, 'because the visit was cancelled elsewhere')
    const { version } = await loadAggregate(log.db, visitDecider, `visit-${visitId}`)
    t.equal(version, 3, 'nothing was appended')

    // And a command that the state allows goes on from the version the log holds.
    const other = seedVisit()
    await elsewhere(other.schedule)
    await here(other.engagements[0]!)
    await elsewhere(other.engagements[1]!)
    const third = await here(other.engagements[2]!)
    t.equal(third.nextExpectedVersion, 4, 'appended after the event added elsewhere')
  },
)

t.test(
  'a held state whose last event the stream no longer has at its version is dropped',
  async (t) => {
    const log = await openTestPostgres(t)
    const handle = createCommandHandler({ log })
    const { schedule, engagements, visitId } = seedVisit()
    await handle(schedule)
    await handle(engagements[0]!)
    const streamId = `visit-${visitId}`
    const fromLog = await loadAggregate(log.db, visitDecider, streamId)

    // What a log restored from an older backup, then written to again, would leave: a state
    // held for version 2 whose event there is another one.
    const stale = {
      state: { status: 'none' } as VisitState,
      version: 2,
      lastEventId: randomUUID(),
    }
    const loaded = await loadCurrent(log.db, visitDecider, streamId, stale)
    t.equal(loaded.version, 2)
    t.equal(loaded.lastEventId, fromLog.events.at(-1)!.eventId)
    t.strictSame(loaded.state, fromLog.state, 'folded from the start of the stream')

    // A state held for a version past the stream's end is dropped too.
    const ahead = { ...stale, version: 5 }
    t.strictSame((await loadCurrent(log.db, visitDecider, streamId, ahead)).state, fromLog.state)

    // A state held rightly goes on from itself: its events after are folded onto it.
    const held = { state: fromLog.state, version: 2, lastEventId: loaded.lastEventId! }
    await handle(engagements[1]!)
    const after = await loadCurrent(log.db, visitDecider, streamId, held)
    const whole = await loadAggregate(log.db, visitDecider, streamId)
    t.equal(after.version, 3)
    t.strictSame(after.state, whole.state, 'the same state as folding the whole stream')
  },
)
