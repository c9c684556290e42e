import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Test } from 'tap'
import {
  appendToStream,
  checkpointAt,
  type EventLogConnection,
  LIMITS,
  type NewEvent,
  readAll,
  readStream,
  subscribe,
  verify,
} from '../../../src/eventstore/index.js'
import { countEvents } from '../../helpers/postgres.js'

const event = (type: string, data: Record<string, unknown> = {}): NewEvent => ({
  eventId: randomUUID(),
  type,
  data,
})

/**
 * The behaviour every backend of the event log must show. Run by the Postgres suite and by
 * the PGlite suite against a fresh, migrated store.
 */
export function eventLogContract(t: Test, open: (t: Test) => Promise<EventLogConnection>) {
  t.test(
    'appending several events is atomic and returns their versions and positions',
    async (t) => {
      const log = await open(t)
      const events = [
        event('VisitScheduled', { city: 'Paris' }),
        event('EngagementAdded'),
        event('EngagementAdded'),
      ]
      const result = await appendToStream(log.db, 'visit-1', events, 'no_stream')
      t.equal(result.nextExpectedVersion, 3)
      t.same(
        result.events.map((e) => e.streamVersion),
        [1, 2, 3],
      )
      t.same(
        result.events.map((e) => e.eventId),
        events.map((e) => e.eventId),
      )
      const positions = result.events.map((e) => e.globalPosition)
      t.ok(
        positions[0]! < positions[1]! && positions[1]! < positions[2]!,
        'positions increase within an append',
      )
      t.equal(result.replayed, false)
      const stream = await readStream(log.db, 'visit-1')
      t.equal(stream.streamVersion, 3)
      t.same(
        stream.events.map((e) => e.data),
        [{ city: 'Paris' }, {}, {}],
      )
    },
  )

  t.test('an append that fails half way writes none of its events', async (t) => {
    const log = await open(t)
    const taken = event('A')
    await appendToStream(log.db, 'other', [taken])
    // The second event reuses an id already stored elsewhere: the whole batch is refused.
    await t.rejects(appendToStream(log.db, 'visit-2', [event('B'), { ...taken, data: { x: 1 } }]), {
      code: 'event-id-conflict',
    })
    t.equal((await readStream(log.db, 'visit-2')).events.length, 0)
  })

  t.test(
    'each expected-version mode accepts what it should and rejects the rest with the actual version',
    async (t) => {
      const log = await open(t)
      await t.rejects(appendToStream(log.db, 's', [event('A')], 'stream_exists'), {
        code: 'wrong-expected-version',
        actual: 0,
      })
      await t.rejects(appendToStream(log.db, 's', [event('A')], 2), {
        code: 'wrong-expected-version',
        actual: 0,
      })
      t.equal((await appendToStream(log.db, 's', [event('A')], 'no_stream')).nextExpectedVersion, 1)
      await t.rejects(appendToStream(log.db, 's', [event('A')], 'no_stream'), {
        code: 'wrong-expected-version',
        actual: 1,
      })
      await t.rejects(appendToStream(log.db, 's', [event('A')], 0), {
        code: 'wrong-expected-version',
        actual: 1,
      })
      t.equal(
        (await appendToStream(log.db, 's', [event('A')], 'stream_exists')).nextExpectedVersion,
        2,
      )
      t.equal((await appendToStream(log.db, 's', [event('A')], 2)).nextExpectedVersion, 3)
      await t.rejects(appendToStream(log.db, 's', [event('A')], 2), {
        code: 'wrong-expected-version',
        actual: 3,
      })
      t.equal((await appendToStream(log.db, 's', [event('A')], 'any')).nextExpectedVersion, 4)
      t.equal((await appendToStream(log.db, 'fresh', [event('A')], 'any')).nextExpectedVersion, 1)
      t.equal((await appendToStream(log.db, 'zero', [event('A')], 0)).nextExpectedVersion, 1)
      t.equal((await readStream(log.db, 's')).streamVersion, 4)
    },
  )

  t.test('a retried append returns the first result and adds no rows', async (t) => {
    const log = await open(t)
    const events = [event('A', { n: 1 }), event('B', { n: 2 })]
    const first = await appendToStream(log.db, 'retry', events, 'no_stream')
    const before = await countEvents(log.db)
    // The retry carries the expected version the client sent the first time.
    const again = await appendToStream(log.db, 'retry', events, 'no_stream')
    t.same(again.events, first.events)
    t.equal(again.nextExpectedVersion, first.nextExpectedVersion)
    t.equal(again.replayed, true)
    t.equal(await countEvents(log.db), before)
  })

  t.test(
    'an event id reused with other content, in another stream or with new ids is a conflict',
    async (t) => {
      const log = await open(t)
      const original = event('A', { n: 1 })
      await appendToStream(log.db, 'ids', [original])
      const before = await countEvents(log.db)
      await t.rejects(appendToStream(log.db, 'ids', [{ ...original, data: { n: 2 } }]), {
        code: 'event-id-conflict',
      })
      await t.rejects(appendToStream(log.db, 'ids', [{ ...original, type: 'B' }]), {
        code: 'event-id-conflict',
      })
      await t.rejects(appendToStream(log.db, 'elsewhere', [original]), {
        code: 'event-id-conflict',
      })
      await t.rejects(appendToStream(log.db, 'ids', [original, event('C')]), {
        code: 'event-id-conflict',
      })
      t.equal(await countEvents(log.db), before)
    },
  )

  t.test('bad input gets a typed error naming the field and writes nothing', async (t) => {
    const log = await open(t)
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const cases: [string, () => Promise<unknown>, string, string][] = [
      ['empty stream id', () => appendToStream(log.db, '', [event('A')]), 'streamId', 'required'],
      [
        'blank stream id',
        () => appendToStream(log.db, '   ', [event('A')]),
        'streamId',
        'required',
      ],
      [
        'negative expected version',
        () => appendToStream(log.db, 's', [event('A')], -1),
        'expectedVersion',
        'expected-version',
      ],
      [
        'fractional expected version',
        () => appendToStream(log.db, 's', [event('A')], 1.5),
        'expectedVersion',
        'expected-version',
      ],
      ['no events', () => appendToStream(log.db, 's', []), 'events', 'min-items'],
      [
        'a BigInt',
        () => appendToStream(log.db, 's', [event('A', { n: 10n })]),
        'events/0/data/n',
        'json-value',
      ],
      [
        'a function',
        () => appendToStream(log.db, 's', [event('A', { f: () => 1 })]),
        'events/0/data/f',
        'json-value',
      ],
      [
        'a circular object',
        () => appendToStream(log.db, 's', [event('A', circular)]),
        'events/0/data/self',
        'json-acyclic',
      ],
      [
        'NaN',
        () => appendToStream(log.db, 's', [event('A', { n: Number.NaN })]),
        'events/0/data/n',
        'json-number',
      ],
      [
        'a Date object',
        () => appendToStream(log.db, 's', [event('A', { at: new Date() })]),
        'events/0/data/at',
        'json-value',
      ],
      [
        'a NUL character',
        () => appendToStream(log.db, 's', [event('A', { s: 'a\u0000b' })]),
        'events/0/data/s',
        'json-string',
      ],
      [
        'a lone surrogate, which jsonb refuses',
        () => appendToStream(log.db, 's', [event('A', { s: 'a\ud800b' })]),
        'events/0/data/s',
        'json-string',
      ],
      [
        'an expected version past the highest a stream can have',
        () => appendToStream(log.db, 's', [event('A')], LIMITS.streamVersion + 1),
        'expectedVersion',
        'expected-version',
      ],
      [
        'an event id that is not a UUID',
        () => appendToStream(log.db, 's', [{ ...event('A'), eventId: 'x' }]),
        'events/0/eventId',
        'uuid',
      ],
      [
        'an empty event type',
        () => appendToStream(log.db, 's', [event('')]),
        'events/0/type',
        'required',
      ],
      [
        'an oversize payload',
        () => appendToStream(log.db, 's', [event('A', { blob: 'x'.repeat(LIMITS.eventBytes) })]),
        'events/0',
        'max-size',
      ],
      [
        'a duplicate id in one append',
        () => {
          const e = event('A')
          return appendToStream(log.db, 's', [e, { ...e }])
        },
        'events/1/eventId',
        'unique',
      ],
    ]
    for (const [name, run, field, rule] of cases) {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e as { code?: string; details?: { field: string; rule: string }[] },
      )
      t.equal(error?.code, 'validation-failed', `${name} is a validation error`)
      t.ok(
        error?.details?.some((d) => d.field === field && d.rule === rule),
        `${name} names ${field} (${rule})`,
      )
    }
    t.equal(await countEvents(log.db), 0, 'nothing was written')
  })

  t.test(
    'a stream reads forward, backward, between versions and as it stood at a recorded time',
    async (t) => {
      const log = await open(t)
      for (let i = 1; i <= 5; i++) await appendToStream(log.db, 'r', [event('E', { i })])
      const versions = async (options: Parameters<typeof readStream>[2]) =>
        (await readStream(log.db, 'r', options)).events.map((e) => e.streamVersion)
      t.same(await versions({}), [1, 2, 3, 4, 5])
      t.same(await versions({ direction: 'backward' }), [5, 4, 3, 2, 1])
      t.same(await versions({ fromVersion: 2, toVersion: 4 }), [2, 3, 4])
      t.same(await versions({ direction: 'backward', fromVersion: 4, maxCount: 2 }), [4, 3])
      t.same(await versions({ fromVersion: 3, maxCount: 1 }), [3])
      const third = (await readStream(log.db, 'r', { fromVersion: 3, maxCount: 1 })).events[0]!
      const asOf = await readStream(log.db, 'r', { recordedUpTo: third.recordedAt })
      t.ok(asOf.events.every((e) => e.recordedAt <= third.recordedAt))
      t.equal(
        asOf.streamVersion,
        asOf.events.at(-1)?.streamVersion,
        'the version is the one of that time',
      )
      const before = await readStream(log.db, 'r', {
        recordedUpTo: new Date(third.recordedAt.getTime() - 60_000),
      })
      t.same(before.events, [], 'nothing was recorded a minute before')
      t.equal(before.streamVersion, 0)
      t.same((await readStream(log.db, 'missing')).events, [])
      await t.rejects(readStream(log.db, 'r', { fromVersion: -1 }), { code: 'validation-failed' })
    },
  )

  t.test(
    'the whole log reads from a position, filtered by event type and stream prefix',
    async (t) => {
      const log = await open(t)
      await appendToStream(log.db, 'visit-1', [event('VisitScheduled'), event('EngagementAdded')])
      await appendToStream(log.db, 'call-1', [event('CallRecorded')])
      await appendToStream(log.db, 'visit_2', [event('VisitScheduled')])
      const all = await readAll(log.db)
      t.same(
        all.events.map((e) => e.streamId),
        ['visit-1', 'visit-1', 'call-1', 'visit_2'],
      )
      t.equal(all.caughtUp, true)
      const afterSecond = await readAll(log.db, {
        after: await checkpointAt(log.db, all.events[1]!.globalPosition),
      })
      t.same(
        afterSecond.events.map((e) => e.streamId),
        ['call-1', 'visit_2'],
      )
      const byType = await readAll(log.db, { eventTypes: ['VisitScheduled'] })
      t.same(
        byType.events.map((e) => e.streamId),
        ['visit-1', 'visit_2'],
      )
      // `_` is a LIKE wildcard; the prefix must match literally.
      const byPrefix = await readAll(log.db, { streamPrefix: 'visit-' })
      t.same(
        byPrefix.events.map((e) => e.type),
        ['VisitScheduled', 'EngagementAdded'],
      )
      const paged = await readAll(log.db, { limit: 3 })
      t.equal(paged.events.length, 3)
      t.equal(paged.caughtUp, false)
      const rest = await readAll(log.db, { after: paged.checkpoint, limit: 3 })
      t.same(
        rest.events.map((e) => e.streamId),
        ['visit_2'],
      )
      await t.rejects(checkpointAt(log.db, 99_999), { code: 'not-found' })
    },
  )

  t.test('a lean read returns the same events without their metadata and hashes', async (t) => {
    const log = await open(t)
    const recorded = (type: string) => ({ ...event(type), metadata: { actor: 'analyst-1' } })
    await appendToStream(log.db, 'visit-1', [
      recorded('VisitScheduled'),
      recorded('EngagementAdded'),
    ])
    await appendToStream(log.db, 'call-1', [recorded('CallRecorded')])
    const full = await readAll(log.db, { eventTypes: ['VisitScheduled', 'CallRecorded'] })
    const lean = await readAll(log.db, {
      eventTypes: ['VisitScheduled', 'CallRecorded'],
      lean: true,
      checkHeldBack: true,
    })
    t.strictSame(
      lean.events,
      full.events.map(({ metadata: _m, hash: _h, prevHash: _p, ...rest }) => rest),
      'each event as the full read has it, less those three',
    )
    t.ok(
      full.events.every((e) => Object.keys(e.metadata).length > 0),
      'the full read has the metadata',
    )
    t.same(lean.checkpoint, full.checkpoint)
    t.equal(lean.caughtUp, true)
  })

  t.test('the log refuses UPDATE, DELETE and TRUNCATE of events', async (t) => {
    const log = await open(t)
    await appendToStream(log.db, 'h', [event('A', { n: 1 })])
    await t.rejects(sql`update events set data = '{"n":2}'`.execute(log.db), /append-only/)
    await t.rejects(sql`delete from events`.execute(log.db), /append-only/)
    await t.rejects(sql`truncate events`.execute(log.db), /append-only/)
    t.same((await readStream(log.db, 'h')).events[0]!.data, { n: 1 })
  })

  t.test(
    'verify finds an intact log intact and reports the first broken link of an altered one',
    async (t) => {
      const log = await open(t)
      await appendToStream(log.db, 'chain-a', [
        event('A', { n: 1 }),
        event('A', { n: 2 }),
        event('A', { n: 3 }),
      ])
      await appendToStream(log.db, 'chain-b', [event('B'), event('B')])
      await appendToStream(log.db, 'chain-c', [event('C'), event('C')])
      const intact = await verify(log.db)
      t.same(intact, { ok: true, eventsChecked: 7, streamsChecked: 3, broken: [] })

      // Behind the triggers' back, as someone with superuser rights could.
      await log.db.transaction().execute(async (trx) => {
        await sql`set local session_replication_role = replica`.execute(trx)
        await sql`update events set data = '{"n":20}' where stream_id = 'chain-a' and stream_version = 2`.execute(
          trx,
        )
        await sql`delete from events where stream_id = 'chain-b' and stream_version = 1`.execute(
          trx,
        )
        await sql`delete from events where stream_id = 'chain-c' and stream_version = 2`.execute(
          trx,
        )
      })
      const report = await verify(log.db)
      t.equal(report.ok, false)
      t.same(
        report.broken.map((b) => [b.streamId, b.streamVersion, b.reason]),
        [
          ['chain-a', 2, 'hash-mismatch'],
          ['chain-b', 2, 'version-gap'],
          ['chain-c', 2, 'head-mismatch'],
        ],
      )
      const one = await verify(log.db, { streamId: 'chain-a' })
      t.same(
        one.broken.map((b) => b.streamVersion),
        [2],
      )
      t.equal(one.eventsChecked, 3)
    },
  )

  t.test(
    'an append notifies listeners, and a subscription wakes on it without waiting for its poll',
    async (t) => {
      const log = await open(t)
      const notified = new Promise<string>((resolve) => {
        const off = log.notifications.onAppend((streamId) => {
          if (streamId === 'n-1') {
            off()
            resolve(streamId)
          }
        })
      })
      const seen: string[] = []
      let onSeen: () => void = () => {}
      const arrived = new Promise<void>((resolve) => {
        onSeen = resolve
      })
      const subscription = subscribe(log.db, log.notifications, {
        from: { transactionId: '0', globalPosition: 0 },
        pollIntervalMs: 600_000, // only a notification can wake it in time
        onEvents: async (events) => {
          seen.push(...events.map((e) => e.streamId))
          if (seen.length === 2) onSeen()
        },
      })
      await new Promise((resolve) => setTimeout(resolve, 200))
      await appendToStream(log.db, 'n-1', [event('A')])
      t.equal(await notified, 'n-1')
      await appendToStream(log.db, 'n-2', [event('A')])
      await arrived
      await subscription.stop()
      t.same(seen, ['n-1', 'n-2'])
    },
  )

  t.test('a subscription that is never notified still finds new events by polling', async (t) => {
    const log = await open(t)
    const silent = { onAppend: () => () => {} }
    const seen: string[] = []
    let onSeen: () => void = () => {}
    const arrived = new Promise<void>((resolve) => {
      onSeen = resolve
    })
    const subscription = subscribe(log.db, silent, {
      from: { transactionId: '0', globalPosition: 0 },
      pollIntervalMs: 50,
      onEvents: async (events) => {
        seen.push(...events.map((e) => e.streamId))
        onSeen()
      },
    })
    await appendToStream(log.db, 'p-1', [event('A')])
    await arrived
    await subscription.stop()
    t.same(seen, ['p-1'])
  })

  t.test('appending through the connection wakes this process’s subscribers at once', async (t) => {
    const log = await open(t)
    const seen: string[] = []
    let onSeen: () => void = () => {}
    const arrived = new Promise<void>((resolve) => {
      onSeen = resolve
    })
    const subscription = subscribe(log.db, log.notifications, {
      from: { transactionId: '0', globalPosition: 0 },
      pollIntervalMs: 600_000,
      onEvents: async (events) => {
        seen.push(...events.map((e) => e.streamId))
        onSeen()
      },
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const result = await log.append('w-1', [event('A')], 'no_stream')
    t.equal(result.nextExpectedVersion, 1)
    await arrived
    await subscription.stop()
    t.same(seen, ['w-1'])
  })
}
