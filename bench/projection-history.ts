import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { seedScenario } from '../src/app/seed-scenario.js'
import type { Command, Event } from '../src/domain/decider.js'
import { type DomainCommand, deciderFor, route } from '../src/domain/deciders.js'
import { schemaVersionOf } from '../src/domain/event-schemas.js'

/**
 * A realistic history for the projection benchmarks: the seed article (a call, its readout, a
 * visit with three engagements and a delegation member, a meeting, a friction, an assessment),
 * then the visit's completion, told over and over with fresh ids between many pairs of
 * countries. Some pairs are in the news far more than others, as in life: pair k of the list
 * gets a share proportional to 1 / (k + 1).
 */

const COUNTRIES = [
  'US',
  'FR',
  'DE',
  'CN',
  'JP',
  'IN',
  'BR',
  'ZA',
  'NG',
  'EG',
  'SA',
  'TR',
  'RU',
  'UA',
  'PL',
  'ES',
  'CA',
  'MX',
  'KR',
  'ID',
  'KE',
  'AR',
] // not AU, GB: the seed friction names them as third parties

const PAIRS = COUNTRIES.flatMap((a, i) => COUNTRIES.slice(i + 1).map((b) => [a, b] as const))
const HARMONIC = PAIRS.map((_, k) => 1 / (k + 1))
const HARMONIC_TOTAL = HARMONIC.reduce((s, w) => s + w, 0)

/** A pair drawn with weight 1 / (rank + 1), from a number in [0, 1). */
function pairAt(u: number): readonly [string, string] {
  let left = u * HARMONIC_TOTAL
  for (let k = 0; k < PAIRS.length; k++) {
    left -= HARMONIC[k]!
    if (left < 0) return PAIRS[k]!
  }
  return PAIRS.at(-1)!
}

/** A small deterministic generator, so that every run projects the same history. */
function lcg(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0
    return s / 2 ** 32
  }
}

/** The seed article's commands with the US and France replaced by the pair `[a, b]`. */
function storyOf(a: string, b: string): DomainCommand[] {
  const commands = seedScenario({ newId: randomUUID, actor: 'bench' }).map((r) => r.command)
  const visitId = (commands.find((c) => c.type === 'ScheduleVisit')!.data as { visitId: string })
    .visitId
  commands.push({
    type: 'CompleteVisit',
    data: { visitId },
    metadata: {
      actor: 'bench',
      at: '2021-12-01T00:00:00Z',
      sources: commands[2]!.metadata.sources,
    },
  })
  // Exactly the quoted codes: country fields and dyads, never words of the text.
  const text = JSON.stringify(commands)
    .replaceAll('"US"', '"\u0001"')
    .replaceAll('"FR"', `"${b}"`)
    .replaceAll('"\u0001"', `"${a}"`)
  return JSON.parse(text)
}

export interface HistoryEvent {
  eventId: string
  streamId: string
  streamVersion: number
  type: string
  schemaVersion: number
  data: unknown
  metadata: unknown
}

/** At least `count` events decided by the domain's deciders, in the order they were decided. */
export function projectionHistory(count: number, seed = 42): HistoryEvent[] {
  const random = lcg(seed)
  const states = new Map<string, { state: unknown; version: number }>()
  const events: HistoryEvent[] = []
  while (events.length < count) {
    const [a, b] = pairAt(random())
    for (const command of storyOf(a, b)) {
      const routed = route(command)
      const decider = deciderFor(routed.aggregate)
      const streamId = decider.streamId(routed.id)
      const stream = states.get(streamId) ?? { state: decider.initialState(), version: 0 }
      const decided = decider.decide(routed.command as Command, stream.state) as Event[]
      for (const event of decided) {
        stream.state = decider.evolve(stream.state, event)
        stream.version++
        events.push({
          eventId: randomUUID(),
          streamId,
          streamVersion: stream.version,
          type: event.type,
          schemaVersion: schemaVersionOf(event.type),
          data: event.data,
          metadata: {
            actor: 'bench',
            commandType: command.type,
            sources: command.metadata.sources,
          },
        })
      }
      states.set(streamId, stream)
    }
  }
  return events
}

/** Every command of `stories` stories, for driving the command handler. */
export function historyCommands(stories: number, seed = 7): DomainCommand[] {
  const random = lcg(seed)
  return Array.from({ length: stories }, () => storyOf(...pairAt(random()))).flat()
}

/**
 * Appends the history with multi-row inserts of `batch` events (the database still sets the
 * recorded time, transaction id and hash chain), then sets the streams' heads.
 */
export async function appendHistory(client: pg.Client, events: HistoryEvent[], batch = 1_000) {
  for (let i = 0; i < events.length; i += batch) {
    const slice = events.slice(i, i + batch)
    await client.query(
      `insert into events (event_id, stream_id, stream_version, event_type, schema_version, data, metadata, hash)
       select e.event_id, e.stream_id, e.stream_version, e.event_type, e.schema_version, e.data, e.metadata, ''::bytea
         from jsonb_to_recordset($1::jsonb) as e(event_id uuid, stream_id text, stream_version int,
              event_type text, schema_version int, data jsonb, metadata jsonb)`,
      [
        JSON.stringify(
          slice.map((e) => ({
            event_id: e.eventId,
            stream_id: e.streamId,
            stream_version: e.streamVersion,
            event_type: e.type,
            schema_version: e.schemaVersion,
            data: e.data,
            metadata: e.metadata,
          })),
        ),
      ],
    )
  }
  await client.query(
    `insert into streams (stream_id, version)
     select stream_id, max(stream_version) from events group by stream_id`,
  )
}
