import pg from 'pg'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/api/app.js'
import { commandExample } from '../../src/api/schemas/examples.js'
import { openPostgres } from '../../src/eventstore/index.js'
import { eventually, getter, openTestApi, poster } from '../helpers/api.js'
import { TEST_ADMIN_KEY } from '../helpers/api-keys.js'

// Two API processes on one database, as in production: A runs the read models, B only
// serves. What B remembers of a document must follow every change A's runners commit.

/** Marks a visit's stored document behind every runner's back: a probe of where B reads. */
async function mark(url: string, visitId: string, marker: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rowCount } = await client.query(
      `update projection_documents set doc = doc || jsonb_build_object('purpose', $2::text)
        where projection = 'itinerary' and kind = 'visit' and id = $1`,
      [visitId, marker],
    )
    return rowCount
  } finally {
    await client.end()
  }
}

async function twoInstances(t: Test) {
  const a = await openTestApi(t)
  const logB = openPostgres({ connectionString: a.log.url, applicationName: 'entente-b' })
  const appB = await buildApp({
    readiness: [],
    adminKey: TEST_ADMIN_KEY,
    rateLimits: false,
    api: { log: logB },
  })
  t.teardown(async () => {
    await appB.close()
    await logB.close()
  })
  // B hears changes once its LISTEN session is up.
  await eventually(async () => logB.readModels.complete, Boolean, 'B listening')
  const heard = new Set<string>()
  t.teardown(
    logB.readModels.onChange(({ projection, keys }) => {
      if (projection === 'itinerary') for (const key of keys ?? []) heard.add(key)
    }),
  )
  const b = { app: appB, headers: a.headers }
  const { visitId: _, ...schedule } = commandExample('ScheduleVisit')![0]!
  const scheduled = await poster(a)('/v1/visits', schedule)
  t.equal(scheduled.status, 201)
  const visitId = scheduled.body.streamId.replace(/^visit-/, '')
  const read = () => getter(b)(`/v1/visits/${visitId}`)
  const first = await eventually(read, (r) => r.status === 200, 'the visit on B')
  // The batch that wrote the visit notifies B, and B forgets the visit when it hears that:
  // under load the notification can come after B has read and kept the visit. Wait for it.
  await eventually(
    async () => heard.has(`visit\u0000${visitId}`),
    Boolean,
    'B hearing the batch that wrote the visit',
    10_000,
  )
  // A read that a change overtook (the notification of the batch that wrote the visit may
  // reach B after B's own query saw it) is not kept: read until B holds the document.
  await eventually(
    async () => {
      await read()
      return (await getter(b)('/metrics')).text
    },
    (metrics) => /entente_read_cache_documents 1\b/.test(metrics),
    'B keeping the visit',
    10_000,
  )
  return { a, b, logB, visitId, read, first }
}

t.test('B serves a document it read from memory until A commits a change to it', async (t) => {
  const { a, b, visitId, read, first } = await twoInstances(t)
  t.equal(first.body.purpose, 'Talks with French President Emmanuel Macron')
  t.equal(await mark(a.log.url, visitId, 'probe'), 1)
  const again = await read()
  t.equal(again.body.purpose, first.body.purpose, 'the second read did not go to the store')
  t.equal(again.headers.etag, first.headers.etag)
  // Served from memory, the answer is the JSON serialized at the first hit.
  t.equal(again.text, first.text, 'the same bytes as before')
  t.match(again.headers['content-type'], /^application\/json/)
  t.notOk(
    ['facts', 'engagementRevisions', 'position'].some((field) => field in again.body),
    'no bookkeeping in the view',
  )
  const metrics = (await getter(b)('/metrics')).text
  const hits = Number(/entente_read_cache_reads_total\{result="hit"\} (\d+)/.exec(metrics)?.[1])
  t.ok(hits >= 1, `B counts the read from memory (${hits})`)

  const reschedule = commandExample('RescheduleVisit')![0]!
  const moved = await poster(a)(`/v1/visits/${visitId}/reschedule`, reschedule, {
    'if-match': String(first.headers.etag),
  })
  t.equal(moved.status, 200)
  const after = await eventually(
    read,
    (r) => r.body.period?.edtf === '2021-11-09/2021-11-13',
    'the rescheduled visit on B',
    10_000,
  )
  t.equal(after.headers.etag, moved.headers.etag, 'the ETag moved with it')
  t.equal(after.body.purpose, 'Talks with French President Emmanuel Macron')
})

t.test('a process that stopped hearing changes reads from the store again', async (t) => {
  const { a, logB, visitId, read, first } = await twoInstances(t)
  await read()
  t.equal(await mark(a.log.url, visitId, 'written while B was deaf'), 1)
  t.equal((await read()).body.purpose, first.body.purpose, 'served from memory')
  // The server ends B's LISTEN session: whatever was committed meanwhile went unheard.
  const admin = new pg.Client({ connectionString: a.log.url })
  await admin.connect()
  const { rowCount } = await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and application_name = 'entente-b'
        and query like 'LISTEN%'`,
  )
  await admin.end()
  t.equal(rowCount, 1, 'B’s listening session ended')
  const fresh = await eventually(
    read,
    (r) => r.body.purpose === 'written while B was deaf',
    'B reading the store',
    10_000,
  )
  t.equal(fresh.status, 200)
  await eventually(async () => logB.readModels.complete, Boolean, 'B listening again')
})
