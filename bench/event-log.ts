import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { type EventLogConnection, migrateToLatest, openPostgres } from '../src/eventstore/index.js'

/**
 * Appends per second through the connection's `append` (appendToStream, announced after
 * commit) beside a raw-SQL baseline that inserts the same
 * rows into the same schema with plain `pg`, on the real Postgres, in one run. Each shape is
 * measured in alternating rounds (baseline, Entente, baseline, Entente …) and the median
 * rate of each is reported, because the machine is shared and noisy.
 */

export interface Shape {
  name: string
  writers: number
  eventsPerAppend: number
}

export const SHAPES: Shape[] = [
  { name: 'single-event appends, 8 writers', writers: 8, eventsPerAppend: 1 },
  { name: '100-event batches, 8 writers', writers: 8, eventsPerAppend: 100 },
]

const data = () => ({
  visitId: randomUUID(),
  traveller: {
    id: 'Q10853588',
    name: 'Kamala Harris',
    office: 'Vice President of the United States',
  },
  place: { city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
  period: { edtf: '2021-11', earliest: '2021-11-01T00:00:00Z', latest: '2021-11-30T23:59:59Z' },
})
const metadata = () => ({
  actor: 'bench',
  requestId: randomUUID(),
  sources: [{ publisher: 'The White House' }],
})

/** Runs `work` on `writers` concurrent loops for `ms`; returns events per second. */
export async function rate(writers: number, ms: number, work: (writer: number) => Promise<number>) {
  const deadline = performance.now() + ms
  const started = performance.now()
  let events = 0
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < deadline) {
        // Not `events += await work(w)`: that reads `events` before awaiting and loses the
        // other writers' additions made meanwhile.
        const done = await work(w)
        events += done
      }
    }),
  )
  return events / ((performance.now() - started) / 1000)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export async function measureShape(
  log: EventLogConnection,
  url: string,
  shape: Shape,
  rounds: number,
  ms: number,
) {
  const clients = await Promise.all(
    Array.from({ length: shape.writers }, async () => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      return client
    }),
  )
  const baseline: number[] = []
  const entente: number[] = []
  try {
    for (let round = 0; round < rounds; round++) {
      const run = `${shape.eventsPerAppend}-${round}`
      // Baseline: the same rows (the events and the stream's head) in one statement, each
      // writer on a stream of its own whose next version it knows: no lock, no expected
      // version check, no retry detection, no notification.
      const versions = new Map<number, number>()
      baseline.push(
        await rate(shape.writers, ms, async (w) => {
          const client = clients[w]!
          const first = (versions.get(w) ?? 0) + 1
          const last = first + shape.eventsPerAppend - 1
          const stream = `raw-${run}-${w}`
          const values: unknown[] = [stream, last]
          const rows: string[] = []
          for (let i = 0; i < shape.eventsPerAppend; i++) {
            const p = values.length
            rows.push(
              `($${p + 1}::uuid, $1, $${p + 2}::int, 'VisitScheduled', 1, $${p + 3}::jsonb, $${p + 4}::jsonb, ''::bytea)`,
            )
            values.push(randomUUID(), first + i, JSON.stringify(data()), JSON.stringify(metadata()))
          }
          await client.query(
            `with appended as (
               insert into events (event_id, stream_id, stream_version, event_type, schema_version, data, metadata, hash)
               values ${rows.join(',')} returning global_position)
             insert into streams (stream_id, version) values ($1, $2)
               on conflict (stream_id) do update set version = excluded.version, updated_at = now()`,
            values,
          )
          versions.set(w, last)
          return shape.eventsPerAppend
        }),
      )
      const expected = new Map<number, number>()
      entente.push(
        await rate(shape.writers, ms, async (w) => {
          const events = Array.from({ length: shape.eventsPerAppend }, () => ({
            eventId: randomUUID(),
            type: 'VisitScheduled',
            data: data(),
            metadata: metadata(),
          }))
          const result = await log.append(
            `visit-${run}-${w}`,
            events,
            expected.get(w) ?? 'no_stream',
          )
          expected.set(w, result.nextExpectedVersion)
          return shape.eventsPerAppend
        }),
      )
    }
  } finally {
    await Promise.all(clients.map((c) => c.end()))
  }
  return { baseline: median(baseline), entente: median(entente), rounds: { baseline, entente } }
}

export async function benchEventLog(serverUrl: string, options = { rounds: 3, ms: 5_000 }) {
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query('drop database if exists entente_bench with (force)')
  await admin.query('create database entente_bench')
  const url = new URL(serverUrl)
  url.pathname = '/entente_bench'
  const log = openPostgres({ connectionString: url.toString(), poolSize: 8 })
  try {
    await migrateToLatest(log.db)
    const results = []
    for (const shape of SHAPES) {
      const r = await measureShape(log, url.toString(), shape, options.rounds, options.ms)
      results.push({ shape: shape.name, ...r, ratio: r.entente / r.baseline })
    }
    return results
  } finally {
    await log.close()
    await admin.query('drop database if exists entente_bench with (force)')
    await admin.end()
  }
}
