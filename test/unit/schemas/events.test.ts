import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import t from 'tap'
import { Value } from 'typebox/value'
import { createCommandHandler } from '../../../src/app/command-handler.js'
import { seedScenario } from '../../../src/app/seed-scenario.js'
import type { Command, Decider, Event } from '../../../src/domain/decider.js'
import { EVENT_SCHEMAS } from '../../../src/domain/event-schemas.js'
import { meetingDecider } from '../../../src/domain/meeting/index.js'
import { relationshipDecider } from '../../../src/domain/relationship/index.js'
import { visitDecider } from '../../../src/domain/visit/index.js'
import { readAll } from '../../../src/eventstore/index.js'
import { EVENT_DATA_SCHEMAS, type EventType } from '../../../src/schemas/events.js'
import { openTestPglite } from '../../helpers/postgres.js'
import {
  announce,
  friction,
  meetingSteps,
  relationshipSteps,
  schedule,
  visitSteps,
} from '../domain/arbitraries.js'
import { run, type Step, startingWith, withCorrections } from '../domain/property-steps.js'

/** The schema violations of one event's data, as `type /path: message` lines. */
function violations(type: string, data: unknown): string[] {
  const schema = EVENT_DATA_SCHEMAS[type as EventType]
  if (!schema) return [`${type}: no schema`]
  return Value.Errors(schema, data).map((e) => `${type} ${e.instancePath}: ${e.message}`)
}

t.test(
  'every event type at its current version has a data schema with a versioned $id',
  async (t) => {
    t.same(Object.keys(EVENT_DATA_SCHEMAS).sort(), Object.keys(EVENT_SCHEMAS).sort())
    for (const [type, version] of Object.entries(EVENT_SCHEMAS))
      t.equal(EVENT_DATA_SCHEMAS[type as EventType].$id, `EventData.${type}.v${version}`)
  },
)

t.test('the seed article, recorded through the command handler, matches the schemas', async (t) => {
  const log = await openTestPglite(t)
  const handle = createCommandHandler({ log })
  for (const { command } of seedScenario({ newId: randomUUID, actor: 'analyst@entente' }))
    await handle(command, { requestId: 'schemas' })
  const { events } = await readAll(log.db, { limit: 1000 })
  t.ok(events.length >= 8, `${events.length} events recorded`)
  const types = new Set(events.map((e) => e.type))
  t.ok(types.size >= 6, `${types.size} event types among them`)
  t.same(
    events.flatMap((e) => violations(e.type, e.data)),
    [],
    'no event breaks its schema',
  )
})

const loose = <C extends Command, E extends Event, S>(d: Decider<C, E, S>) =>
  d as unknown as Decider<Command, Event, S>

const aggregates: [string, Decider<Command, Event, unknown>, fc.Arbitrary<Step[]>][] = [
  ['visits', loose(visitDecider), startingWith(schedule, withCorrections(visitSteps))],
  ['meetings', loose(meetingDecider), startingWith(announce, withCorrections(meetingSteps))],
  [
    'relationships',
    loose(relationshipDecider),
    startingWith(friction, withCorrections(relationshipSteps)),
  ],
]

for (const [name, decider, steps] of aggregates)
  t.test(`every event decided for generated ${name} matches its schema as stored`, async (t) => {
    const seen = new Set<string>()
    fc.assert(
      fc.property(steps, (s) => {
        // The log stores JSON: optional fields left undefined are gone.
        const stored: Event[] = JSON.parse(JSON.stringify(run(decider, s).stream))
        for (const e of stored) seen.add(e.type)
        const broken = stored.flatMap((e) => violations(e.type, e.data))
        if (broken.length > 0) throw new Error(broken.slice(0, 5).join('\n'))
      }),
      { numRuns: 150 },
    )
    t.ok(seen.size >= 4, `${seen.size} event types were produced: ${[...seen].join(', ')}`)
  })

t.test('a field the schema does not know, or a broken value, is refused', async (t) => {
  const [steps] = fc.sample(startingWith(schedule, visitSteps), { numRuns: 1, seed: 3 })
  const { stream } = run(loose(visitDecider), steps!)
  const scheduled = JSON.parse(JSON.stringify(stream[0]!.data))
  t.equal(stream[0]!.type, 'VisitScheduled')
  t.same(violations('VisitScheduled', scheduled), [], 'as decided it is valid')
  t.not(violations('VisitScheduled', { ...scheduled, surprise: 1 }).length, 0, 'an unknown field')
  t.not(violations('VisitScheduled', { ...scheduled, dyad: ['US'] }).length, 0, 'half a dyad')
  t.not(violations('VisitScheduled', { ...scheduled, sources: [] }).length, 0, 'no source')
})
