import { randomUUID } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import {
  appendToStream,
  type Checkpoint,
  LOG_START,
  openPostgres,
  type RecordedEvent,
  readAll,
  readStream,
} from '../../../src/eventstore/index.js'
import { openTestPostgres } from '../../helpers/postgres.js'

// These need concurrent sessions, which only a Postgres server has (PGlite has one session).

const payload = (type: string, n = 1) =>
  JSON.stringify(
    Array.from({ length: n }, () => ({ event_id: randomUUID(), event_type: type, data: {} })),
  )

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Reads until `count` events have arrived (or 30 s pass), in batches of `batch`. Readers wait
 * for every older transaction of the whole server, other databases' included (other suites
 * run beside this one), so one read can come back short for a while: waiting for the count,
 * rather than reading once, keeps the test about our order. A skipped event never arrives.
 */
async function readUntil(
  db: Parameters<typeof readAll>[0],
  from: Checkpoint,
  batch: number,
  count: number,
) {
  const seen: RecordedEvent[] = []
  let checkpoint = from
  const deadline = Date.now() + 30_000
  while (seen.length < count && Date.now() < deadline) {
    const slice = await catchUp(db, checkpoint, batch)
    seen.push(...slice.seen)
    checkpoint = slice.checkpoint
    if (seen.length < count) await sleep(20)
  }
  return { seen, checkpoint }
}

/** Reads everything after `from`, in batches of `batch`, as a subscriber would. */
async function catchUp(db: Parameters<typeof readAll>[0], from: Checkpoint, batch: number) {
  const seen: RecordedEvent[] = []
  let checkpoint = from
  for (;;) {
    const slice = await readAll(db, { after: checkpoint, limit: batch })
    seen.push(...slice.events)
    checkpoint = slice.checkpoint
    if (slice.caughtUp) return { seen, checkpoint }
  }
}

t.test('of many concurrent appends with the same expected version exactly one wins', async (t) => {
  const log = await openTestPostgres(t, 24)
  for (let round = 0; round < 5; round++) {
    const stream = `visit-race-${round}`
    await appendToStream(log.db, stream, [
      { eventId: randomUUID(), type: 'VisitScheduled', data: {} },
    ])
    const results = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) =>
        appendToStream(
          log.db,
          stream,
          [{ eventId: randomUUID(), type: 'Changed', data: { i } }],
          1,
        ),
      ),
    )
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]
    t.equal(won.length, 1, `round ${round}: one append won`)
    t.ok(
      lost.every((r) => r.reason.code === 'wrong-expected-version' && r.reason.actual === 2),
      `round ${round}: the others got the conflict with the actual version`,
    )
    const { events, streamVersion } = await readStream(log.db, stream)
    t.same(
      events.map((e) => e.streamVersion),
      [1, 2],
      `round ${round}: no gap, no duplicate`,
    )
    t.equal(streamVersion, 2)
  }
})

t.test(
  'a reader never skips an event whose transaction commits late, and sees it once',
  async (t) => {
    const log = await openTestPostgres(t)
    const url = log.url
    await appendToStream(log.db, 'before', [{ eventId: randomUUID(), type: 'A', data: {} }])

    const held = new pg.Client({ connectionString: url })
    await held.connect()
    t.teardown(() => held.end())
    await held.query('begin')
    await held.query(`select * from entente_append_to_stream('held', 'any', $1::jsonb)`, [
      payload('Held', 2),
    ])

    // Later writers commit while the first transaction is still open.
    for (let i = 0; i < 5; i++)
      await appendToStream(log.db, `later-${i}`, [
        { eventId: randomUUID(), type: 'Later', data: { i } },
      ])

    const during = await catchUp(log.db, LOG_START, 2)
    t.ok(
      during.seen.every((e) => e.streamId === 'before'),
      'nothing of the open transaction or after it shows yet',
    )

    await held.query('commit')
    const after = await readUntil(log.db, during.checkpoint, 2, 8 - during.seen.length)
    t.same(
      [...during.seen, ...after.seen].map((e) => e.streamId),
      ['before', 'held', 'held', 'later-0', 'later-1', 'later-2', 'later-3', 'later-4'],
      'the late commit comes in its place, before the later ones, each event once',
    )
    const fresh = await readUntil(log.db, LOG_START, 3, 8)
    t.same(
      fresh.seen.map((e) => e.eventId),
      [...during.seen, ...after.seen].map((e) => e.eventId),
      'a reader starting now sees the same order',
    )
  },
)

t.test(
  'readers see every event once, in one order, each stream in version order, under interleaved commits',
  async (t) => {
    const log = await openTestPostgres(t, 4)
    const url = log.url
    const writers = 6
    const transactionsPerWriter = 15
    const hotStreams = ['visit-hot-1', 'visit-hot-2']
    const committed = new Set<string>()
    let writing = true

    const writer = async (w: number) => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        for (let i = 0; i < transactionsPerWriter; i++) {
          // Hot streams take appends with expected version "any" from every writer.
          const stream = i % 2 === 0 ? hotStreams[(w + i) % 2]! : `visit-w${w}`
          const events = payload('Appended', 1 + (i % 3))
          await client.query('begin')
          await sleep(Math.random() * 4)
          await client.query(`select * from entente_append_to_stream($1, 'any', $2::jsonb)`, [
            stream,
            events,
          ])
          await sleep(Math.random() * 12)
          if (i % 7 === 6) {
            await client.query('rollback') // leaves a hole in the position sequence
          } else {
            await client.query('commit')
            for (const e of JSON.parse(events)) committed.add(e.event_id)
          }
        }
      } finally {
        await client.end()
      }
    }

    const reader = async (batch: number) => {
      const seen: RecordedEvent[] = []
      let checkpoint = LOG_START
      while (writing) {
        const slice = await catchUp(log.db, checkpoint, batch)
        seen.push(...slice.seen)
        checkpoint = slice.checkpoint
        await sleep(3)
      }
      // The writers are done: read on until every committed event is in (or time runs out).
      const rest = await readUntil(log.db, checkpoint, batch, committed.size - seen.length)
      return [...seen, ...rest.seen]
    }

    const readers = [reader(3), reader(7)]
    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)))
    writing = false
    const [a, b] = await Promise.all(readers)

    for (const [name, seen] of [
      ['the first reader', a!],
      ['the second reader', b!],
    ] as const) {
      const ids = seen.map((e) => e.eventId)
      t.equal(new Set(ids).size, ids.length, `${name} saw no event twice`)
      t.same(new Set(ids), committed, `${name} saw every committed event and nothing rolled back`)
      const lastVersion = new Map<string, number>()
      const inOrder = seen.every((e) => {
        const ok = e.streamVersion === (lastVersion.get(e.streamId) ?? 0) + 1
        lastVersion.set(e.streamId, e.streamVersion)
        return ok
      })
      t.ok(inOrder, `${name} saw each stream's events in version order without gaps`)
    }
    t.same(
      a!.map((e) => e.eventId),
      b!.map((e) => e.eventId),
      'both readers saw one and the same order',
    )
  },
)

t.test(
  'an append through one connection wakes the listeners of another process by NOTIFY after commit',
  async (t) => {
    const log = await openTestPostgres(t)
    const other = openPostgres({ connectionString: log.url })
    t.teardown(() => other.close())
    const woken = new Promise<string>((resolve) => {
      const off = other.notifications.onAppend((streamId) => {
        if (streamId === 'announced') {
          off()
          resolve(streamId)
        }
      })
    })
    await sleep(300) // the other connection's LISTEN is in place
    await log.append('announced', [{ eventId: randomUUID(), type: 'A', data: {} }])
    t.equal(await woken, 'announced')
  },
)
