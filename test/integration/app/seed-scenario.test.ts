import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { createCommandHandler } from '../../../src/app/command-handler.js'
import { loadAggregate } from '../../../src/app/load-aggregate.js'
import { seedScenario } from '../../../src/app/seed-scenario.js'
import {
  type CallState,
  callDecider,
  type DomainCommand,
  type MeetingState,
  meetingDecider,
  type RelationshipState,
  relationshipDecider,
  type VisitState,
  visitDecider,
} from '../../../src/domain/index.js'
import { readAll, verify } from '../../../src/eventstore/index.js'
import { countEvents, openTestPostgres } from '../../helpers/postgres.js'

const actor = 'analyst@entente'

/**
 * The whole log as readAll gives it, once it gives every event stored: readAll waits for older
 * transactions of any database on the server, such as those of suites running beside this one.
 */
async function readWholeLog(db: Parameters<typeof readAll>[0]) {
  const stored = await countEvents(db)
  for (;;) {
    const all = await readAll(db, { limit: 1000 })
    if (all.events.length >= stored) return all
    await sleep(50)
  }
}

t.test(
  'the seed article recorded through the application layer on the real Postgres',
  async (t) => {
    const log = await openTestPostgres(t)
    const handle = createCommandHandler({ log })
    const scenario = seedScenario({ newId: randomUUID, actor })
    for (const { command } of scenario) await handle(command, { requestId: 'seed-load' })

    const visitId = scenario.find((r) => r.aggregate === 'visit')!.id
    const visit = await loadAggregate(log.db, visitDecider, visitDecider.streamId(visitId))
    const v = visit.state as VisitState
    t.equal(v.status, 'scheduled', 'the visit is scheduled')
    if (v.status === 'scheduled') {
      t.equal(v.visit.visitor.name, 'Kamala Harris')
      t.equal(v.visit.destination.city, 'Paris')
      t.equal(v.visit.period.edtf, '2021-11', 'the visit is known to the month')
      t.equal(v.visit.period.precision, 'month')
      const byDay = v.visit.engagements.map((e) => [e.kind, e.period.edtf])
      t.ok(
        byDay.some(([kind, day]) => kind === 'speech' && day === '2021-11-11'),
        'the Paris Peace Forum speech on 11 November',
      )
      t.ok(
        byDay.some(([, day]) => day === '2021-11-12'),
        'the Paris Conference on Libya on 12 November',
      )
      t.ok(
        v.visit.engagements.some((e) => e.counterparts.some((p) => p.name === 'Emmanuel Macron')),
        'talks with President Macron',
      )
      t.same(
        v.visit.delegation.map((m) => m.person.name),
        ['Douglas Emhoff'],
        'Douglas Emhoff travels with her',
      )
      t.same(v.visit.dyad, ['FR', 'US'])
    }

    const callId = scenario.find((r) => r.aggregate === 'call')!.id
    const call = (await loadAggregate(log.db, callDecider, callDecider.streamId(callId)))
      .state as CallState
    t.equal(call.status, 'recorded')
    if (call.status === 'recorded') {
      t.same(call.call.participants.map((p) => p.name).sort(), ['Emmanuel Macron', 'Joe Biden'])
      t.equal(call.call.date.edtf, '2021-10-22', 'Friday 22 October 2021')
      t.ok(
        call.call.quotes.some((q) =>
          q.text.includes('key opportunity to further enhance U.S.-France cooperation'),
        ),
        'the quoted line of the readout',
      )
      t.ok(call.call.topics.length >= 3, 'the readout topics')
    }

    const meetingId = scenario.find((r) => r.aggregate === 'meeting')!.id
    const meeting = (
      await loadAggregate(log.db, meetingDecider, meetingDecider.streamId(meetingId))
    ).state as MeetingState
    t.equal(meeting.status, 'announced')
    if (meeting.status === 'announced') {
      t.equal(meeting.meeting.place.city, 'Rome')
      t.equal(meeting.meeting.format, 'sidelines')
      t.match(meeting.meeting.occasion, /G20/)
      t.equal(meeting.meeting.window.phrase, 'later this month')
      t.ok(meeting.meeting.window.earliest! >= '2021-10-22', 'the window opens after the call')
      t.ok(meeting.meeting.window.latest! <= '2021-11-01', 'and closes with October')
    }

    const relationship = (
      await loadAggregate(log.db, relationshipDecider, relationshipDecider.streamId('FR-US'))
    ).state as RelationshipState
    t.equal(relationship.status, 'tracked')
    if (relationship.status === 'tracked') {
      const aukus = relationship.frictions.find((f) => /AUKUS/.test(f.title))
      t.ok(aukus, 'the AUKUS friction is recorded on FR-US')
      t.equal(aukus?.status, 'open')
      t.match(aukus?.description, /submarine/)
      t.same(aukus?.thirdParties.slice().sort(), ['AU', 'GB'])
    }

    const all = await readWholeLog(log.db)
    t.ok(all.events.length >= scenario.length, 'every command appended its events')
    for (const event of all.events) {
      const sources = event.metadata.sources as { publisher: string }[]
      if (
        !sources?.length ||
        event.metadata.actor !== actor ||
        event.metadata.requestId !== 'seed-load'
      ) {
        t.fail(`event ${event.type} lacks its actor, request id or sources`)
      }
    }
    t.ok(
      all.events.some((e) =>
        (e.metadata.sources as { publisher: string }[]).some(
          (s) => s.publisher === 'The Associated Press',
        ),
      ),
      'facts from the AP story cite it',
    )
    const coded = all.events.filter(
      (e) => ((e.data as { interactions?: unknown[] }).interactions ?? []).length > 0,
    )
    t.ok(coded.length >= 4, 'events bearing on the relationship carry an interaction coding')
    t.same(await verify(log.db).then((r) => r.ok), true, 'the hash chains are intact')
  },
)

t.test(
  'bad input through the application layer gets a typed error naming the field and appends nothing',
  async (t) => {
    const log = await openTestPostgres(t)
    const handle = createCommandHandler({ log })
    const scenario = seedScenario({ newId: randomUUID, actor })
    const schedule = scenario.find((r) => r.command.type === 'ScheduleVisit')!
      .command as DomainCommand & {
      data: Record<string, unknown>
    }
    await handle(schedule)
    const before = await countEvents(log.db)
    const visitId = (schedule.data as { visitId: string }).visitId
    const sources = schedule.metadata.sources
    const person = {
      id: 'douglas-emhoff',
      name: 'Douglas Emhoff',
      office: 'Second Gentleman of the United States',
      country: 'US',
    }

    const cases: [string, DomainCommand, string][] = [
      [
        'a malformed EDTF date',
        {
          ...schedule,
          data: { ...schedule.data, visitId: randomUUID(), period: { edtf: '2021-13-45' } },
        } as DomainCommand,
        '/period/edtf',
      ],
      [
        'an unknown country code',
        {
          ...schedule,
          data: {
            ...schedule.data,
            visitId: randomUUID(),
            destination: { city: 'Paris', country: 'XX', timeZone: 'Europe/Paris' },
          },
        } as DomainCommand,
        '/destination/country',
      ],
      [
        'a command without a source',
        {
          ...schedule,
          data: { ...schedule.data, visitId: randomUUID() },
          metadata: { ...schedule.metadata, sources: [] },
        } as DomainCommand,
        '/sources',
      ],
      [
        'an engagement outside the visit',
        {
          type: 'AddEngagement',
          data: {
            visitId,
            engagement: {
              engagementId: randomUUID(),
              kind: 'speech',
              title: 'Too early',
              period: { edtf: '2021-10-30' },
              counterparts: [],
              status: 'confirmed',
            },
          },
          metadata: { actor, at: '2021-10-23T12:00:00Z', sources },
        } as unknown as DomainCommand,
        '/engagement/period',
      ],
    ]
    for (const [name, command, field] of cases) {
      const error = await handle(command).then(
        () => undefined,
        (e: { code?: string; details?: { field: string }[] }) => e,
      )
      t.ok(error?.code, `${name} is refused with a typed error (${error?.code})`)
      t.ok(
        error?.details?.some((d) => d.field.startsWith(field)),
        `${name} names ${field} (got ${error?.details?.map((d) => d.field).join(', ')})`,
      )
    }

    const add = {
      type: 'AddDelegationMember',
      data: { visitId, member: { person, role: 'spouse' } },
      metadata: { actor, at: '2021-10-23T12:00:00Z', sources },
    } as unknown as DomainCommand
    await handle(add)
    const twice = await handle(add).then(
      () => undefined,
      (e: { code?: string; details?: { field: string }[] }) => e,
    )
    t.ok(twice?.code, `a person twice in a delegation is refused (${twice?.code})`)
    t.equal(await countEvents(log.db), before + 1, 'only the first delegation member was appended')
  },
)

t.test('a command raced by another writer is decided again on the new state', async (t) => {
  const log = await openTestPostgres(t)
  const handle = createCommandHandler({ log })
  const scenario = seedScenario({ newId: randomUUID, actor })
  const visitCommands = scenario.filter((r) => r.aggregate === 'visit').map((r) => r.command)
  await handle(visitCommands[0]!)
  // The rest of the visit's commands at once: each loses some races and retries.
  const results = await Promise.all(visitCommands.slice(1).map((c) => handle(c)))
  const versions = results.map((r) => r.nextExpectedVersion).sort((a, b) => a - b)
  t.same(
    versions,
    Array.from({ length: versions.length }, (_, i) => i + 2),
    'each got its own version',
  )
  const aide = {
    type: 'AddDelegationMember',
    data: {
      visitId: (visitCommands[0]!.data as { visitId: string }).visitId,
      member: { person: { id: 'an-aide', name: 'An Aide', office: 'Aide', country: 'US' } },
    },
    metadata: visitCommands[0]!.metadata,
  } as unknown as DomainCommand
  const pinned = await handle(aide, { expectedVersion: 1 }).then(
    () => undefined,
    (e: { code?: string }) => e,
  )
  t.equal(pinned?.code, 'wrong-expected-version', 'a pinned version is not retried')
})
