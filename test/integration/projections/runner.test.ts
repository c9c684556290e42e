import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import type { EventLogConnection } from '../../../src/eventstore/index.js'
import type { Projection } from '../../../src/projections/projection.js'
import { ProjectionRunner } from '../../../src/projections/runner.js'
import { projectionReports, requestRebuild } from '../../../src/projections/status.js'
import { countingProjection } from '../../helpers/counting-projection.js'
import { openTestPostgres } from '../../helpers/postgres.js'

const root = path.resolve(import.meta.dirname, '../../..')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function appendMany(
  log: EventLogConnection,
  streams: number,
  perStream: number,
  type = 'Counted',
) {
  for (let v = 0; v < perStream; v++)
    await Promise.all(
      Array.from({ length: streams }, (_, s) =>
        log.append(`s-${s}`, [{ eventId: randomUUID(), type, data: { v } }]),
      ),
    )
}

/** The documents of the active generation: stream id → { count, versions }. */
async function documents(log: EventLogConnection, name = 'stream-counts') {
  const row = await log.db
    .selectFrom('projections')
    .select('active_generation')
    .where('name', '=', name)
    .executeTakeFirst()
  const docs = await log.db
    .selectFrom('projection_documents')
    .select(['id', 'doc'])
    .where('projection', '=', name)
    .where('generation', '=', row?.active_generation ?? 1)
    .execute()
  return new Map(docs.map((d) => [d.id, d.doc as { count: number; versions: number[] }]))
}

async function until(check: () => Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await sleep(50)
  }
  return false
}

const exact = (
  docs: Map<string, { count: number; versions: number[] }>,
  streams: number,
  perStream: number,
) =>
  docs.size === streams &&
  [...docs.values()].every((d) => d.count === perStream && d.versions.every((v, i) => v === i + 1))

t.test('a runner catches up, then follows appends, applying each event once', async (t) => {
  const log = await openTestPostgres(t)
  await appendMany(log, 3, 20)
  const runner = new ProjectionRunner({
    log,
    projection: countingProjection(),
    batchSize: 7,
    pollIntervalMs: 1_000,
  }).start()
  t.teardown(() => runner.stop())
  t.ok(await until(async () => exact(await documents(log), 3, 20)), 'caught up with what was there')
  await appendMany(log, 3, 5)
  t.ok(
    await until(async () => exact(await documents(log), 3, 25)),
    'and follows what is appended after',
  )
  const [report] = await projectionReports(log.db, [countingProjection()])
  t.equal(report!.status, 'running')
  t.equal(report!.lag.events, 0, 'no lag once caught up')
  t.equal(report!.eventsApplied, 75)
})

t.test(
  'following a steady stream of appends, a runner gathers them into a batch at most every batchIntervalMs',
  async (t) => {
    const log = await openTestPostgres(t)
    await log.append('s-0', [{ eventId: randomUUID(), type: 'Counted', data: {} }])
    const runners = [
      { name: 'gathered-counts', batchIntervalMs: 250 },
      { name: 'eager-counts', batchIntervalMs: 0 },
    ].map(({ name, batchIntervalMs }) =>
      new ProjectionRunner({ log, projection: countingProjection(name), batchIntervalMs }).start(),
    )
    t.teardown(() => Promise.all(runners.map((r) => r.stop())))
    const applied = async () => {
      const rows = await log.db
        .selectFrom('projections')
        .select(['name', 'events_applied'])
        .where('name', 'in', ['gathered-counts', 'eager-counts'])
        .execute()
      return new Map(rows.map((r) => [r.name, Number(r.events_applied)]))
    }
    t.ok(
      await until(async () => [...(await applied()).values()].join() === '1,1'),
      'both runners follow the head',
    )
    // Every change of events_applied seen by a sampler is (at least) one batch.
    const batches = new Map([
      ['gathered-counts', 0],
      ['eager-counts', 0],
    ])
    let last = await applied()
    let appending = true
    const sampling = (async () => {
      let deadline = Number.POSITIVE_INFINITY
      while (
        appending ||
        ([...last.values()].some((n) => n < 51) && performance.now() < deadline)
      ) {
        if (!appending && deadline === Number.POSITIVE_INFINITY)
          deadline = performance.now() + 10_000
        await sleep(5)
        const now = await applied()
        for (const [name, n] of now)
          if (n !== last.get(name)) batches.set(name, batches.get(name)! + 1)
        last = now
      }
    })()
    const started = performance.now()
    for (let i = 1; i <= 50; i++) {
      await log.append('s-0', [{ eventId: randomUUID(), type: 'Counted', data: { i } }])
      await sleep(20)
    }
    const seconds = (performance.now() - started) / 1000
    appending = false
    await sampling
    t.same(
      Object.fromEntries(last),
      { 'gathered-counts': 51, 'eager-counts': 51 },
      'every event applied',
    )
    const gathered = batches.get('gathered-counts')!
    const eager = batches.get('eager-counts')!
    t.ok(
      gathered <= Math.ceil(seconds / 0.25) + 2,
      `gathered: ${gathered} batches for 50 appends over ${seconds.toFixed(2)} s`,
    )
    t.ok(eager >= 2 * gathered, `eager: ${eager} batches (the sampler sees what it should)`)
  },
)

t.test(
  'a runner killed in the middle of its batches resumes without applying anything twice',
  async (t) => {
    const log = await openTestPostgres(t)
    await appendMany(log, 10, 150)
    const start = () => {
      const child = spawn(
        process.execPath,
        ['--import=tsx', 'test/helpers/run-projection.ts', log.url],
        {
          cwd: root,
          env: { ...process.env, BATCH_SIZE: '40' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      const exited = new Promise((resolve) => child.on('exit', resolve))
      return { child, exited }
    }
    const first = start()
    t.ok(
      await until(async () => {
        const [r] = await projectionReports(log.db, [countingProjection()])
        return (r?.eventsApplied ?? 0) >= 200
      }),
      'the first runner got going',
    )
    first.child.kill('SIGKILL')
    await first.exited
    const [midway] = await projectionReports(log.db, [countingProjection()])
    t.ok(midway!.eventsApplied < 1500, `killed midway (${midway!.eventsApplied} of 1500 applied)`)

    const second = start()
    t.teardown(() => second.child.kill('SIGKILL'))
    t.ok(
      await until(async () => exact(await documents(log), 10, 150), 60_000),
      'the next runner finished the work exactly once',
    )
    second.child.kill('SIGTERM')
    await second.exited
  },
)

t.test('of two runners one is active, and the other takes over when it stops', async (t) => {
  const log = await openTestPostgres(t)
  const options = {
    log,
    projection: countingProjection(),
    standbyIntervalMs: 100,
    pollIntervalMs: 200,
  }
  const a = new ProjectionRunner(options).start()
  const b = new ProjectionRunner(options).start()
  t.teardown(() => Promise.all([a.stop(), b.stop()]))
  t.ok(await until(async () => a.role === 'active' || b.role === 'active'), 'one becomes active')
  await sleep(300)
  t.equal([a.role, b.role].filter((r) => r === 'active').length, 1, 'only one is active')
  const [active, standby] = a.role === 'active' ? [a, b] : [b, a]
  await appendMany(log, 2, 10)
  t.ok(await until(async () => exact(await documents(log), 2, 10)))
  const stoppedAt = Date.now()
  await active.stop()
  t.ok(await until(async () => standby.role === 'active', 5_000), 'the standby took over')
  t.comment(`takeover after ${Date.now() - stoppedAt} ms`)
  await appendMany(log, 2, 10)
  t.ok(
    await until(async () => exact(await documents(log), 2, 20)),
    'and applies what comes next, once',
  )
})

t.test(
  'an event a projection cannot apply stops that projection there, and the others go on',
  async (t) => {
    const log = await openTestPostgres(t)
    await appendMany(log, 1, 3)
    await log.append('s-0', [{ eventId: randomUUID(), type: 'Poison', data: {} }])
    await appendMany(log, 1, 2)
    const broken = new ProjectionRunner({
      log,
      projection: countingProjection(),
      pollIntervalMs: 100,
    }).start()
    const other = new ProjectionRunner({
      log,
      projection: { ...countingProjection('other-counts'), eventTypes: ['Counted'] },
      pollIntervalMs: 100,
    }).start()
    t.teardown(() => Promise.all([broken.stop(), other.stop()]))
    t.ok(
      await until(
        async () =>
          (await projectionReports(log.db, [countingProjection()]))[0]!.status === 'failed',
      ),
    )
    const [report] = await projectionReports(log.db, [countingProjection()])
    t.match(
      report!.error,
      { type: 'Poison', message: /cannot apply/ },
      'the status names the event and the error',
    )
    t.equal(report!.lag.events, 3, 'it stopped just before the poison event')
    t.same((await documents(log)).get('s-0')?.count, 3, 'what came before was applied')
    t.ok(
      await until(async () => (await documents(log, 'other-counts')).get('s-0')?.count === 5),
      'the other projection applied everything',
    )
  },
)

t.test(
  'a rebuild stops at an event it cannot apply, with exactly what came before it written, though documents after it in the batch were already sent',
  async (t) => {
    const log = await openTestPostgres(t)
    // 1,200 documents: a rebuild writes them in groups of 500, in the order first seen. The
    // poison event touches the third group's first document; the first two groups, evolved
    // past it by the second round of events, were written before the third was evolved.
    await appendMany(log, 1_200, 1)
    await log.append('s-1000', [{ eventId: randomUUID(), type: 'Poison', data: {} }])
    await appendMany(log, 1_200, 1)
    const projection = countingProjection()
    await requestRebuild(log.db, projection)
    const runner = new ProjectionRunner({ log, projection, pollIntervalMs: 100 }).start()
    t.teardown(() => runner.stop())
    t.ok(
      await until(
        async () => (await projectionReports(log.db, [projection]))[0]!.status === 'failed',
      ),
      'the rebuild fails',
    )
    const row = await log.db
      .selectFrom('projections')
      .selectAll()
      .where('name', '=', projection.name)
      .executeTakeFirstOrThrow()
    t.match(row.error, { type: 'Poison', message: /cannot apply/ }, 'naming the event')
    t.equal(Number(row.rebuild_events_done), 1_200, 'it stopped just before the poison event')
    const docs = await log.db
      .selectFrom('projection_documents')
      .select(['id', 'doc'])
      .where('projection', '=', projection.name)
      .where('generation', '=', row.rebuild_generation!)
      .execute()
    t.equal(docs.length, 1_200, 'every document the events before it made')
    t.same(
      docs.filter((d) => (d.doc as { count: number }).count !== 1).map((d) => d.id),
      [],
      'and none with an event from after it',
    )
  },
)

/**
 * Rebuilds `projection` with a runner (in batches of `size` events when given) until it has
 * applied `total` events; returns the events done at each progress report.
 */
async function rebuiltIn(
  t: Test,
  log: EventLogConnection,
  projection: Projection,
  total: number,
  size?: number,
) {
  // The log's horizon is the oldest transaction open anywhere on the server: while one of
  // another test's is open, the newest events are held back, and a rebuild that has read up
  // to the horizon rightly ends there. Start once every event is readable.
  t.ok(
    await until(
      async () =>
        (
          await sql<{ readable: boolean }>`
            select coalesce(max(transaction_id) < entente_log_horizon(), true) as readable
              from events`.execute(log.db)
        ).rows[0]!.readable,
    ),
    'every event is below the horizon',
  )
  await requestRebuild(log.db, projection)
  const progress: number[] = []
  const runner = new ProjectionRunner({
    log,
    projection,
    pollIntervalMs: 100,
    // Undefined when not given: the runner then takes the projection's own.
    rebuildBatchSize: size,
    onRebuildProgress: (p) => progress.push(p.eventsDone),
  }).start()
  t.ok(await until(async () => progress.at(-1) === total), 'the rebuild applied every event')
  await runner.stop()
  return progress
}

t.test(
  'a rebuild applies as many events a batch as its projection asks, unless the runner is told',
  async (t) => {
    const log = await openTestPostgres(t)
    await appendMany(log, 10, 30)
    const rebuildIn = (projection: ReturnType<typeof countingProjection>, size?: number) =>
      rebuiltIn(t, log, projection, 300, size)
    const projection = { ...countingProjection(), rebuildBatchSize: 40 }
    t.same(
      await rebuildIn(projection),
      [40, 80, 120, 160, 200, 240, 280, 300],
      "the projection's 40 a batch",
    )
    t.same(await rebuildIn(projection, 100), [100, 200, 300], "the runner's 100 a batch")
    t.same(await rebuildIn(countingProjection()), [300], 'else up to 50,000 a batch')
  },
)

t.test(
  "a rebuild's first batch is one read of the log, so that the next is read while it is applied",
  async (t) => {
    const log = await openTestPostgres(t)
    for (let s = 0; s < 12; s++)
      await log.append(
        `s-${s}`,
        Array.from({ length: 1_000 }, (_, v) => ({
          eventId: randomUUID(),
          type: 'Counted',
          data: { v },
        })),
      )
    t.same(
      await rebuiltIn(t, log, countingProjection(), 12_000),
      [10_000, 12_000],
      'one read of 10,000, then the rest in a batch of 50,000',
    )
  },
)

t.test(
  'a rebuild builds aside and switches, and readers never see a half-built model',
  async (t) => {
    const log = await openTestPostgres(t)
    await appendMany(log, 20, 50)
    const v1 = new ProjectionRunner({
      log,
      projection: countingProjection(),
      pollIntervalMs: 100,
    }).start()
    t.ok(await until(async () => exact(await documents(log), 20, 50)))
    await v1.stop()

    // Version 2 of the code rebuilds; meanwhile readers read the active generation.
    const progress: number[] = []
    const v2 = new ProjectionRunner({
      log,
      projection: countingProjection('stream-counts', 2),
      rebuildBatchSize: 25,
      pollIntervalMs: 100,
      onRebuildProgress: (p) => progress.push(p.eventsDone),
    }).start()
    t.teardown(() => v2.stop())
    let halfBuilt = 0
    let switched = false
    while (!switched) {
      const docs = await documents(log)
      if (!exact(docs, 20, 50)) halfBuilt++
      const [r] = await projectionReports(log.db, [countingProjection('stream-counts', 2)])
      switched = r!.version === 2 && r!.status === 'running'
    }
    t.equal(halfBuilt, 0, 'every read saw a complete model')
    t.ok(progress.length > 10, 'progress was reported along the way')
    t.equal(progress.at(-1), 1000)
    t.ok(
      await until(async () => {
        const generations = await log.db
          .selectFrom('projection_documents')
          .select('generation')
          .distinct()
          .execute()
        return generations.length === 1 && generations[0]!.generation === 2
      }),
      'the old generation is dropped after the switch',
    )

    await requestRebuild(log.db, countingProjection('stream-counts', 2))
    t.ok(
      await until(async () => {
        const [r] = await projectionReports(log.db, [countingProjection('stream-counts', 2)])
        return r!.generation === 3 && r!.status === 'running'
      }),
      'a requested rebuild runs on the active instance',
    )
    t.ok(exact(await documents(log), 20, 50))
  },
)
