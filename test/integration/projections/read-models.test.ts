import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createCommandHandler } from '../../../src/app/command-handler.js'
import { startProjections } from '../../../src/app/projections.js'
import { seedScenario } from '../../../src/app/seed-scenario.js'
import { readAll } from '../../../src/eventstore/index.js'
import {
  itineraryProjection,
  itineraryToICalendar,
  personItinerary,
} from '../../../src/projections/index.js'
import type { VisitDoc } from '../../../src/projections/itinerary/types.js'
import {
  documentAsOf,
  queryRows,
  readDocument,
  readRelationshipStatus,
} from '../../../src/projections/queries.js'
import { openTestPostgres } from '../../helpers/postgres.js'
import { caughtUp } from '../../helpers/projections.js'

const silent = { info() {}, warn() {}, error() {} }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test(
  'the seed scenario, projected on the real Postgres, reads back as the expected itinerary, relationship and calendar',
  async (t) => {
    const log = await openTestPostgres(t)
    const projections = startProjections(log, silent)
    t.teardown(() => projections.stop())
    const handle = createCommandHandler({ log })
    const scenario = seedScenario({ newId: randomUUID, actor: 'analyst' })
    for (const { command } of scenario) await handle(command)
    await caughtUp(log)

    const harris = await queryRows(log.db, {
      projection: 'itinerary',
      kind: 'visit',
      person: 'Q10853588',
    })
    t.equal(harris.items.length, 1, 'Kamala Harris has one visit')
    const { visits } = personItinerary(harris.items as unknown as VisitDoc[], 'Q10853588')
    const paris = visits[0]!
    t.match(paris, {
      destination: { city: 'Paris' },
      period: { edtf: '2021-11', precision: 'month' },
    })
    t.match(paris.companions, [{ name: 'Douglas Emhoff' }], 'Douglas Emhoff is with her')
    const days = paris.engagements.map((e) => e.period.edtf)
    t.ok(
      days.includes('2021-11-11') && days.includes('2021-11-12'),
      'the speech on the 11th and Libya on the 12th',
    )
    t.ok(
      paris.engagements.some((e) => e.counterparts.some((p) => p.name === 'Emmanuel Macron')),
      'talks with Macron',
    )

    const status = await readRelationshipStatus(log.db, 'US', 'FR', '2021-10-23T12:00:00Z')
    t.ok(status, 'FR-US has a status')
    t.ok(
      ['strained', 'recovering'].includes(status!.label),
      `the label reflects AUKUS (${status!.label})`,
    )
    t.equal(status!.trend, 'up', 'trending up after the call and the announcements')
    t.ok(
      status!.openFrictions.some((f) => /AUKUS/.test(f.title)),
      'AUKUS is an open friction',
    )
    t.ok(status!.nextEngagement, 'the Rome meeting is the next engagement')
    t.match(status!.rules, { version: String }, 'the rule set is named')

    const autumn = await queryRows(log.db, {
      projection: 'calendar',
      kind: 'engagement',
      country: 'FR',
      from: '2021-11-11T00:00:00Z',
      to: '2021-11-12T23:59:59Z',
    })
    t.ok(autumn.items.length >= 2, 'the calendar filters engagements by country and date range')
    const calls = await queryRows(log.db, { projection: 'calendar', kind: 'call', person: 'Q6279' })
    t.equal(calls.items.length, 1, 'the Biden–Macron call is on the calendar')
    const page1 = await queryRows(log.db, { projection: 'calendar', kind: 'engagement', limit: 2 })
    t.ok(page1.next, 'a page that is not the last has a cursor')
    const page2 = await queryRows(log.db, {
      projection: 'calendar',
      kind: 'engagement',
      limit: 2,
      after: page1.next,
    })
    t.ok(page2.items.length >= 1, 'the cursor continues where the page ended')
    t.notSame(page2.items[0], page1.items[0])

    const ics = itineraryToICalendar(harris.items, {
      personId: 'Q10853588',
      personName: 'Kamala Harris',
    })
    t.match(ics, /BEGIN:VCALENDAR/)
    t.match(
      ics.replace(/\r\n /g, ''),
      /UID:[^\r\n]+@entente\r\n/,
      'each engagement has a stable UID',
    )
  },
)

t.test('an as-of read returns what the model said before a later correction', async (t) => {
  const log = await openTestPostgres(t)
  const projections = startProjections(log, silent)
  t.teardown(() => projections.stop())
  const handle = createCommandHandler({ log })
  const scenario = seedScenario({ newId: randomUUID, actor: 'analyst' })
  for (const { command } of scenario) await handle(command)
  await caughtUp(log)
  const visitId = scenario.find((r) => r.aggregate === 'visit')!.id
  const before = await readDocument(log.db, 'itinerary', 'visit', visitId)
  await sleep(20)
  const between = new Date()
  await sleep(20)
  const scheduled = (await readAll(log.db, { eventTypes: ['VisitScheduled'] })).events[0]!
  await handle({
    type: 'CorrectFact',
    data: {
      target: { eventId: scheduled.eventId },
      changes: { purpose: 'Corrected purpose' },
      reason: 'the release was misread',
    },
    metadata: scenario[0]!.command.metadata,
  } as never)
  await caughtUp(log)
  const after = await readDocument(log.db, 'itinerary', 'visit', visitId)
  t.not(
    (after as { purpose?: string }).purpose,
    (before as { purpose?: string }).purpose,
    'the live model shows the correction',
  )
  t.equal((after as { purpose?: string }).purpose, 'Corrected purpose')
  const asOf = await documentAsOf(
    log.db,
    itineraryProjection,
    { kind: 'visit', id: visitId },
    between,
  )
  t.equal(
    (asOf as { purpose?: string }).purpose,
    (before as { purpose?: string }).purpose,
    'as of before it, the old purpose',
  )
})
