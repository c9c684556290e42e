import { randomUUID } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { ValidationError } from '../../../src/domain/errors.js'
import { AppendGroups } from '../../../src/eventstore/append-group.js'
import {
  IdempotencyConflictError,
  type NewEvent,
  readStream,
  verify,
  WrongExpectedVersionError,
} from '../../../src/eventstore/index.js'
import { countEvents, openTestPostgres } from '../../helpers/postgres.js'

// Group commit needs a Postgres server: the embedded store appends one at a time.

const event = (type = 'VisitScheduled', data: Record<string, unknown> = {}): NewEvent => ({
  eventId: randomUUID(),
  type,
  data,
  metadata: { actor: 'test' },
})

type Db = Awaited<ReturnType<typeof openTestPostgres>>['db']

/** The transaction that wrote each stream's events. */
async function transactionsOf(db: Db, streams: readonly string[]): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('events')
    .select(['stream_id', 'transaction_id'])
    .where('stream_id', 'in', streams)
    .execute()
  return new Map(rows.map((row) => [row.stream_id, String(row.transaction_id)]))
}

/**
 * With one transaction in flight, the first append goes alone and the ones made while it is
 * under way wait for it, then go together: a group of all of them.
 */
function group(groups: AppendGroups, appends: [string, NewEvent[], number | 'any'][]) {
  const first = groups.append(`lead-${randomUUID()}`, [event()], 0)
  const rest = appends.map(([stream, events, expected]) =>
    groups.append(stream, events, expected).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  )
  return Promise.all([first, ...rest]).then(([, ...outcomes]) => outcomes)
}

t.test(
  'appends made while others are in flight commit together, each in its own stream',
  async (t) => {
    const log = await openTestPostgres(t)
    const groups = new AppendGroups(log.db, { inFlight: 1 })
    const streams = Array.from({ length: 12 }, (_, i) => `visit-group-${i}-${randomUUID()}`)
    const outcomes = await group(
      groups,
      streams.map((s) => [s, [event(), event('VisitCompleted')], 0]),
    )
    t.ok(
      outcomes.every((o) => o.ok),
      'every append succeeded',
    )
    for (const [i, outcome] of outcomes.entries()) {
      if (!outcome.ok) continue
      t.equal(outcome.result.streamId, streams[i])
      t.equal(outcome.result.nextExpectedVersion, 2)
      t.same(
        outcome.result.events.map((e) => e.streamVersion),
        [1, 2],
      )
      t.equal(outcome.result.replayed, false)
    }
    const transactions = new Set((await transactionsOf(log.db, streams)).values())
    t.equal(transactions.size, 1, 'the twelve appends were one transaction')
    for (const stream of streams) {
      const slice = await readStream(log.db, stream)
      t.same(
        slice.events.map((e) => e.type),
        ['VisitScheduled', 'VisitCompleted'],
      )
    }
    const report = await verify(log.db)
    t.equal(report.ok, true, 'every hash chain holds')
  },
)

t.test('a version conflict refuses that append alone; the rest of its group commits', async (t) => {
  const log = await openTestPostgres(t)
  const groups = new AppendGroups(log.db, { inFlight: 1 })
  const busy = `visit-busy-${randomUUID()}`
  await groups.append(busy, [event(), event()], 0)
  const calm = [`visit-a-${randomUUID()}`, `visit-b-${randomUUID()}`]
  const outcomes = await group(groups, [
    [calm[0]!, [event()], 0],
    [busy, [event()], 1],
    [calm[1]!, [event()], 0],
  ])
  t.equal(outcomes[0]!.ok, true)
  t.equal(outcomes[2]!.ok, true)
  const refused = outcomes[1]!
  t.equal(refused.ok, false)
  if (!refused.ok) {
    t.type(refused.error, WrongExpectedVersionError)
    t.equal((refused.error as WrongExpectedVersionError).actual, 2)
    t.equal((refused.error as WrongExpectedVersionError).expected, 1)
  }
  t.equal((await readStream(log.db, busy)).events.length, 2, 'nothing was added to the busy stream')
  t.equal((await transactionsOf(log.db, calm)).size, 2, 'the others are in the log')
})

t.test('two appends to one stream in a group: the second sees the first', async (t) => {
  const log = await openTestPostgres(t)
  const groups = new AppendGroups(log.db, { inFlight: 1 })
  const stream = `visit-twice-${randomUUID()}`
  const [first, second, stale] = await group(groups, [
    [stream, [event()], 0],
    [stream, [event('VisitRescheduled')], 1],
    [stream, [event('VisitCancelled')], 1],
  ])
  t.ok(first!.ok && second!.ok)
  if (second!.ok) t.equal(second!.result.nextExpectedVersion, 2)
  t.equal(stale!.ok, false)
  if (!stale!.ok) t.equal((stale!.error as WrongExpectedVersionError).actual, 2)
  t.same(
    (await readStream(log.db, stream)).events.map((e) => e.type),
    ['VisitScheduled', 'VisitRescheduled'],
  )
})

t.test(
  'a retry in a group replays the first result; reused ids for other content are refused',
  async (t) => {
    const log = await openTestPostgres(t)
    const groups = new AppendGroups(log.db, { inFlight: 1 })
    const stream = `visit-retry-${randomUUID()}`
    const events = [event('VisitScheduled', { n: 1 }), event('VisitCompleted', { n: 2 })]
    const original = await groups.append(stream, events, 0)
    const other = `visit-other-${randomUUID()}`
    const [retry, reused, fresh] = await group(groups, [
      [stream, events, 0],
      [stream, [{ ...events[0]!, data: { n: 99 } }], 2],
      [other, [event()], 0],
    ])
    t.equal(retry!.ok, true)
    if (retry!.ok) {
      t.equal(retry!.result.replayed, true)
      t.same(retry!.result.events, original.events, 'the first append, position for position')
    }
    t.equal(reused!.ok, false)
    if (!reused!.ok) t.type(reused!.error, IdempotencyConflictError)
    t.equal(fresh!.ok, true)
    t.equal((await readStream(log.db, stream)).events.length, 2, 'nothing appended twice')
  },
)

t.test(
  'one new event id in two appends of a group: the first has it, the second is refused',
  async (t) => {
    const log = await openTestPostgres(t)
    const groups = new AppendGroups(log.db, { inFlight: 1 })
    const shared = event()
    const [a, b, c] = [1, 2, 3].map((i) => `visit-split-${i}-${randomUUID()}`)
    const outcomes = await group(groups, [
      [a!, [shared], 0],
      [b!, [shared], 0],
      [c!, [event()], 0],
    ])
    t.equal(outcomes[0]!.ok, true, 'the first use of the id is appended')
    t.equal(outcomes[1]!.ok, false)
    if (!outcomes[1]!.ok) t.type(outcomes[1]!.error, IdempotencyConflictError)
    t.equal(outcomes[2]!.ok, true)
    const transactions = await transactionsOf(log.db, [a!, b!, c!])
    t.same([...transactions.keys()].sort(), [a!, c!].sort())
    t.equal(transactions.get(a!), transactions.get(c!), 'in one transaction')
  },
)

t.test('a group that fails as a whole is sent again one append at a time', async (t) => {
  const log = await openTestPostgres(t)
  const groups = new AppendGroups(log.db, { inFlight: 1 })
  // Another writer appends an event id to a stream of its own and has not committed yet: the
  // group does not see it, waits for it on the unique index, and breaks when it commits.
  const shared = event()
  const other = new pg.Client({ connectionString: log.url })
  await other.connect()
  t.teardown(() => other.end())
  await other.query('begin')
  await other.query('select * from entente_append_to_stream($1, $2, $3::jsonb, false)', [
    `visit-other-${randomUUID()}`,
    '0',
    JSON.stringify([{ event_id: shared.eventId, event_type: shared.type, data: shared.data }]),
  ])
  const [a, c] = [`visit-late-${randomUUID()}`, `visit-bystander-${randomUUID()}`]
  const pending = group(groups, [
    [a, [shared], 0],
    [c, [event()], 0],
  ])
  await new Promise((resolve) => setTimeout(resolve, 300))
  await other.query('commit')
  const [late, bystander] = await pending
  t.equal(late!.ok, false)
  if (!late!.ok) t.type(late!.error, IdempotencyConflictError, 'the id went to the other writer')
  t.equal(bystander!.ok, true, 'the rest of the group is appended on its own')
  t.same([...(await transactionsOf(log.db, [a, c])).keys()], [c])
})

t.test('an append that is not valid is refused before it joins a group', async (t) => {
  const log = await openTestPostgres(t)
  const groups = new AppendGroups(log.db)
  await t.rejects(groups.append('', [event()], 0), ValidationError)
  await t.rejects(groups.append('visit-x', [], 0), ValidationError)
  t.equal(await countEvents(log.db), 0)
})
