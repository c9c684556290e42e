import { sql } from 'kysely'
import t from 'tap'
import { sweepIdempotencyKeys } from '../../src/api/idempotency.js'
import { startIdempotencySweep } from '../../src/app/idempotency-sweep.js'
import { isProblem, openTestApi, poster, type TestApi } from '../helpers/api.js'

const HOUR_MS = 3_600_000
const call = {
  participants: [
    { id: 'Q6279', name: 'Joe Biden', country: 'US' },
    { id: 'Q3052772', name: 'Emmanuel Macron', country: 'FR' },
  ],
  date: { edtf: '2021-10-22' },
  sources: [{ publisher: 'The Associated Press', title: '[A report]', publishedAt: '2021-10-22' }],
}

/** Makes a key look first used `hours` ago. */
async function age(api: TestApi, key: string, hours: number): Promise<void> {
  await sql`
    update idempotency_keys
       set created_at = now() - ${hours} * interval '1 hour',
           completed_at = case when completed_at is null then null
                               else now() - ${hours} * interval '1 hour' end
     where key = ${key}`.execute(api.log.db)
}

async function keys(api: TestApi): Promise<string[]> {
  const { rows } = await sql<{
    key: string
  }>`select key from idempotency_keys order by key`.execute(api.log.db)
  return rows.map((r) => r.key)
}

t.test(
  'a key older than the retention is forgotten: the same key then runs a new request',
  async (t) => {
    const api = await openTestApi(t, {}, { projections: false })
    const post = poster(api)
    t.equal((await post('/v1/calls', call, { 'idempotency-key': 'old' })).status, 201)
    t.equal((await post('/v1/calls', call, { 'idempotency-key': 'recent' })).status, 201)
    const other = { ...call, topics: ['Another call'] }
    isProblem(
      t,
      await post('/v1/calls', other, { 'idempotency-key': 'old' }),
      'idempotency-key-reused',
    )

    await age(api, 'old', 25)
    await age(api, 'recent', 23)
    t.equal(await sweepIdempotencyKeys(api.log.db, 24 * HOUR_MS), 1, 'one key forgotten')
    t.same(await keys(api), ['recent'])

    const again = await post('/v1/calls', other, { 'idempotency-key': 'old' })
    t.equal(again.status, 201, 'the forgotten key runs another request')
    t.not(again.headers['idempotent-replayed'], 'true')
    const replay = await post('/v1/calls', call, { 'idempotency-key': 'recent' })
    t.equal(replay.headers['idempotent-replayed'], 'true', 'a key within the retention replays')
  },
)

t.test(
  'a claim still held is kept whatever its age; one whose holder is gone is not',
  async (t) => {
    const api = await openTestApi(t, {}, { projections: false })
    await sql`
    insert into idempotency_keys (principal, key, request_hash, status, locked_until, created_at)
    values ('p', 'held', 'h', 'pending', now() + interval '1 minute', now() - interval '2 days'),
           ('p', 'abandoned', 'h', 'pending', now() - interval '1 day', now() - interval '2 days')`.execute(
      api.log.db,
    )
    t.equal(await sweepIdempotencyKeys(api.log.db, HOUR_MS), 1)
    t.same(await keys(api), ['held'])
  },
)

t.test('a sweep deletes in batches until nothing expired is left', async (t) => {
  const api = await openTestApi(t, {}, { projections: false })
  await sql`
    insert into idempotency_keys (principal, key, request_hash, status, created_at)
    select 'p', 'k' || n, 'h', 'completed', now() - interval '2 hours'
      from generate_series(1, 2500) n`.execute(api.log.db)
  t.equal(await sweepIdempotencyKeys(api.log.db, HOUR_MS), 2_500)
  t.same(await keys(api), [])
})

t.test('the periodic sweep forgets expired keys while it runs, and stops', async (t) => {
  const api = await openTestApi(t, {}, { projections: false })
  const insert = (key: string) =>
    sql`
    insert into idempotency_keys (principal, key, request_hash, status, created_at)
    values ('p', ${key}, 'h', 'completed', now() - interval '2 hours')`.execute(api.log.db)
  await insert('first')
  const swept: number[] = []
  const sweep = startIdempotencySweep({
    db: api.log.db,
    retentionMs: HOUR_MS,
    everyMs: 50,
    onSwept: (count) => swept.push(count),
    onError: (error) => t.fail(String(error)),
  })
  const until = async (what: string, ok: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  await until('the first key swept', async () => (await keys(api)).length === 0)
  await insert('second')
  await until('the second key swept', async () => (await keys(api)).length === 0)
  t.equal(
    swept.reduce((a, b) => a + b, 0),
    2,
  )
  await sweep.stop()
  const sweeps = swept.length
  await insert('third')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(swept.length, sweeps, 'no sweep after stop')
  t.same(await keys(api), ['third'])
})
