import { readFileSync } from 'node:fs'
import os from 'node:os'
import { sql } from 'kysely'
import pg from 'pg'
import { createCommandHandler } from '../src/app/command-handler.js'
import { startProjectionThread } from '../src/app/projections.js'
import { route } from '../src/domain/deciders.js'
import {
  type EventLogConnection,
  type LeanRecordedEvent,
  LOG_START,
  migrateToLatest,
  openPostgres,
  readAll,
} from '../src/eventstore/index.js'
import { prepareBatch } from '../src/projections/apply-batch.js'
import { PROJECTIONS } from '../src/projections/index.js'
import type { DocumentKey, Projection } from '../src/projections/projection.js'
import { evolveDocument } from '../src/projections/replay.js'
import { ProjectionRunner } from '../src/projections/runner.js'
import { requestRebuild } from '../src/projections/status.js'
import { JsonbParameter, planWrites } from '../src/projections/store.js'
import { appendHistory, historyCommands, projectionHistory } from './projection-history.js'

/**
 * The read models on the real Postgres:
 *
 * - rebuild: each projection rebuilt from a log of `events` events by the real runner, beside
 *   a raw bulk insert of exactly the documents, document parts and rows that the rebuild left,
 *   into a fresh copy of the tables (multi-row inserts of 500, no reading of the log, no evolve);
 * - catch-up lag: commands at a steady rate through the command handler while the runners
 *   follow live; for each command, the time from its commit to the moment the checkpoint of
 *   every projection has passed it.
 */

const silent = { info() {}, warn() {}, error() {} }

/**
 * CPU seconds used so far: by this process (the runner, its collector's threads included), and
 * by the whole machine (Postgres's processes among them), from /proc/stat; the machine's is
 * undefined where there is no /proc/stat. Time stolen by the hypervisor is not counted.
 */
function cpuNow(): { process: number; machine: number | undefined } {
  const usage = process.cpuUsage()
  let machine: number | undefined
  try {
    // cpu  user nice system idle iowait irq softirq steal ... (in clock ticks of 1/100 s)
    const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number)
    machine = (user! + nice! + system! + irq! + softirq!) / 100
  } catch {
    machine = undefined
  }
  return { process: (usage.user + usage.system) / 1e6, machine }
}

/** The CPU seconds used since `from` (`cpuNow`). */
function cpuSince(from: ReturnType<typeof cpuNow>) {
  const now = cpuNow()
  return {
    process: now.process - from.process,
    machine:
      now.machine !== undefined && from.machine !== undefined
        ? now.machine - from.machine
        : undefined,
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function freshDatabase(serverUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`drop database if exists ${name} with (force)`)
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function dropDatabase(serverUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`drop database if exists ${name} with (force)`)
  await admin.end()
}

/**
 * Runs the real runner on a requested rebuild until readers switch; returns seconds. Both timed
 * steps (this and the baseline's inserts) start from a checkpoint, so that neither inherits the
 * dirty pages and the WAL of the step before it (the history's load, the previous rebuild or
 * baseline): the machine's Postgres has 128 MB of shared buffers and checkpoints every 1 GB of
 * WAL, less than one rebuild writes.
 */
async function timeRebuild(log: EventLogConnection, projection: Projection) {
  const before = await log.db
    .selectFrom('projections')
    .select('active_generation')
    .where('name', '=', projection.name)
    .executeTakeFirst()
  await requestRebuild(log.db, projection)
  await sql`checkpoint`.execute(log.db)
  const cpu = cpuNow()
  const started = performance.now()
  const runner = new ProjectionRunner({ log, projection, logger: silent }).start()
  try {
    for (;;) {
      const row = await log.db
        .selectFrom('projections')
        .selectAll()
        .where('name', '=', projection.name)
        .executeTakeFirstOrThrow()
      if (row.status === 'failed') throw new Error(`rebuild failed: ${JSON.stringify(row.error)}`)
      if (
        row.status === 'running' &&
        !row.rebuild_requested &&
        row.active_generation !== (before?.active_generation ?? 0)
      )
        return {
          seconds: (performance.now() - started) / 1000,
          cpu: cpuSince(cpu),
          generation: row.active_generation,
        }
      await sleep(20)
    }
  } finally {
    await runner.stop()
  }
}

const DOCUMENT_COLUMNS = ['projection', 'generation', 'kind', 'id', 'doc']
const PART_COLUMNS = ['projection', 'generation', 'kind', 'id', 'field', 'part', 'items']
const ROW_COLUMNS = [
  'projection',
  'generation',
  'source_kind',
  'source_id',
  'kind',
  'id',
  'doc',
  'earliest',
  'latest',
  'countries',
  'people',
]

/** Inserts `rows` (arrays in `columns` order) into `table`, `per` rows a statement. */
async function bulkInsert(
  client: pg.Client,
  table: string,
  columns: string[],
  rows: unknown[][],
  per = 500,
) {
  for (let i = 0; i < rows.length; i += per) {
    const slice = rows.slice(i, i + per)
    const values: unknown[] = []
    const tuples = slice.map((row) => {
      const first = values.length
      values.push(...row)
      return `(${row.map((_, j) => `$${first + j + 1}`).join(',')})`
    })
    await client.query(
      `insert into ${table} (${columns.join(',')}) values ${tuples.join(',')}`,
      values,
    )
  }
}

/**
 * The baseline: what the rebuild of `projection` left (its documents and rows of `generation`),
 * read back, then inserted as they are into empty copies of the tables, indexes included, with
 * generic plans as the rebuild has them. Returns the seconds the inserts took and how much was
 * written.
 */
async function timeBulkInsert(client: pg.Client, projection: string, generation: number) {
  const docs = await client.query({
    text: `select projection, generation, kind, id, doc::text from projection_documents
            where projection = $1 and generation = $2`,
    values: [projection, generation],
    rowMode: 'array',
  })
  const parts = await client.query({
    text: `select projection, generation, kind, id, field, part, items::text
             from projection_document_parts where projection = $1 and generation = $2`,
    values: [projection, generation],
    rowMode: 'array',
  })
  const rows = await client.query({
    text: `select projection, generation, source_kind, source_id, kind, id, doc::text,
                  earliest, latest, countries, people from projection_rows
            where projection = $1 and generation = $2`,
    values: [projection, generation],
    rowMode: 'array',
  })
  await client.query('drop table if exists baseline_documents, baseline_parts, baseline_rows')
  await client.query('create table baseline_documents (like projection_documents including all)')
  await client.query('create table baseline_parts (like projection_document_parts including all)')
  await client.query('create table baseline_rows (like projection_rows including all)')
  await client.query('checkpoint')
  const cpu = cpuNow()
  const started = performance.now()
  await client.query('begin')
  // The planner setting the rebuild's transactions use (see `applyRebuildBatch`): the same
  // statements, planned the same way, so that the ratio measures the runner and not the plans.
  await client.query('set local plan_cache_mode = force_generic_plan')
  await bulkInsert(client, 'baseline_documents', DOCUMENT_COLUMNS, docs.rows)
  await bulkInsert(client, 'baseline_parts', PART_COLUMNS, parts.rows)
  await bulkInsert(client, 'baseline_rows', ROW_COLUMNS, rows.rows)
  await client.query('commit')
  const seconds = (performance.now() - started) / 1000
  return {
    seconds,
    cpu: cpuSince(cpu),
    documents: docs.rowCount ?? 0,
    parts: parts.rowCount ?? 0,
    rows: rows.rowCount ?? 0,
  }
}

/**
 * The runner's own work in a rebuild of `projection`, alone and in one pass: reading the
 * projection's events as the runner does (lean, 10,000 a read), preparing them (upcast, by
 * document), folding every document from nothing, and planning its writes and serialising their
 * jsonb values as the writer does (`JsonbParameter`), without writing. Returns the CPU seconds
 * of this process (its collector's threads included) and the bytes serialised. On one thread, a
 * rebuild takes at least this long, however fast the server and however well the two overlap:
 * the baseline's time over it is the best ratio the runner could reach here
 * (`RebuildResult.clientBoundRatio`).
 */
async function timeClientWork(log: EventLogConnection, projection: Projection) {
  const cpu = cpuNow()
  const events: LeanRecordedEvent[] = []
  let after = LOG_START
  for (;;) {
    const slice = await readAll(log.db, {
      after,
      limit: 10_000,
      eventTypes: projection.eventTypes,
      lean: true,
    })
    for (const event of slice.events) events.push(event)
    after = slice.checkpoint
    if (slice.caughtUp) break
  }
  const { byDocument } = prepareBatch(projection, events)
  const docs = new Map<string, { key: DocumentKey; doc: ReturnType<Projection['evolve']> }>()
  for (const [k, { key, events: its }] of byDocument)
    docs.set(k, { key, doc: evolveDocument(projection, undefined, its, key) })
  const writes = planWrites(projection, docs)
  let bytes = 0
  const serialise = (value: unknown) => {
    bytes += new JsonbParameter(value).toPostgres().length
  }
  for (const { doc } of writes.documents) serialise(doc)
  for (const { items } of writes.parts) serialise(items)
  for (const { doc } of writes.rows) serialise(doc)
  return { cpuSeconds: cpuSince(cpu).process, bytes }
}

export interface RebuildResult {
  projection: string
  events: number
  documents: number
  /** Parts of documents stored in parts (relationship items, 100 a part). */
  parts: number
  rows: number
  /** Medians of the rounds: each round one rebuild, then its baseline. */
  rebuildSeconds: number
  baselineSeconds: number
  rebuildEventsPerSecond: number
  baselineEventsPerSecond: number
  /** The median of the rounds' ratios (baseline time over rebuild time), and the range. */
  ratio: number
  ratios: number[]
  /**
   * Medians of the CPU seconds each rebuild used: the benchmark's process (the runner) and the
   * whole machine (Postgres included; undefined without /proc/stat).
   */
  rebuildProcessCpuSeconds: number
  rebuildMachineCpuSeconds: number | undefined
  baselineMachineCpuSeconds: number | undefined
  cores: number
  /**
   * The ratio each round would have reached had its rebuild's CPU work (the whole machine's)
   * kept every core busy: the baseline's time over the machine's CPU seconds per core. A ratio
   * close to it means the rebuild was short of CPU, not waiting. Median of the rounds.
   */
  cpuBoundRatio: number | undefined
  /** Median of the rounds' `timeClientWork`: the runner's own work alone (CPU seconds). */
  clientCpuSeconds: number
  /** Median of the rounds' baseline time over their `clientCpuSeconds`. */
  clientBoundRatio: number
  /** The jsonb values a rebuild sends from nothing (documents, parts and rows), in bytes. */
  writtenBytes: number
}

/**
 * Each projection rebuilt `rounds` times, each rebuild followed by its baseline: on a shared
 * machine one pair can differ from the next by a third, so the ratio is the median of the
 * rounds' ratios, with their range.
 */
export async function benchRebuild(serverUrl: string, events: number, rounds = 3) {
  const name = 'entente_bench_rebuild'
  const url = await freshDatabase(serverUrl, name)
  const log = openPostgres({ connectionString: url, poolSize: 4 })
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await migrateToLatest(log.db)
    let started = performance.now()
    let history: ReturnType<typeof projectionHistory> | undefined = projectionHistory(events)
    const decided = (performance.now() - started) / 1000
    started = performance.now()
    await appendHistory(client, history)
    await client.query('analyze')
    const appended = (performance.now() - started) / 1000
    const count = history.length
    // The runner must not carry the generator's 200,000 events in its heap: every full
    // collection during the rebuilds would walk them.
    history = undefined
    const results: RebuildResult[] = []
    for (const projection of PROJECTIONS) {
      const pairs: {
        rebuild: Awaited<ReturnType<typeof timeRebuild>>
        baseline: Awaited<ReturnType<typeof timeBulkInsert>>
        client: Awaited<ReturnType<typeof timeClientWork>>
      }[] = []
      for (let round = 0; round < rounds; round++) {
        const rebuild = await timeRebuild(log, projection)
        const baseline = await timeBulkInsert(client, projection.name, rebuild.generation)
        // The generation this rebuild replaced was deleted: what autovacuum (off on this
        // machine's server) would clean before the next round, which would otherwise insert
        // beside the dead rows, where each round's baseline has fresh tables.
        await client.query(
          'vacuum analyze projection_documents, projection_document_parts, projection_rows',
        )
        pairs.push({ rebuild, baseline, client: await timeClientWork(log, projection) })
      }
      const { documents, parts, rows } = pairs[0]!.baseline
      const rebuildSeconds = median(pairs.map((p) => p.rebuild.seconds))
      const baselineSeconds = median(pairs.map((p) => p.baseline.seconds))
      const ratios = pairs.map((p) => p.baseline.seconds / p.rebuild.seconds)
      const cores = os.availableParallelism()
      results.push({
        projection: projection.name,
        events: count,
        documents,
        parts,
        rows,
        rebuildSeconds,
        baselineSeconds,
        rebuildEventsPerSecond: count / rebuildSeconds,
        baselineEventsPerSecond: count / baselineSeconds,
        ratio: median(ratios),
        ratios,
        rebuildProcessCpuSeconds: median(pairs.map((p) => p.rebuild.cpu.process)),
        rebuildMachineCpuSeconds: medianOfAll(pairs.map((p) => p.rebuild.cpu.machine)),
        baselineMachineCpuSeconds: medianOfAll(pairs.map((p) => p.baseline.cpu.machine)),
        cores,
        cpuBoundRatio: medianOfAll(
          pairs.map(({ rebuild, baseline }) =>
            rebuild.cpu.machine === undefined
              ? undefined
              : baseline.seconds / (rebuild.cpu.machine / cores),
          ),
        ),
        clientCpuSeconds: median(pairs.map((p) => p.client.cpuSeconds)),
        clientBoundRatio: median(pairs.map((p) => p.baseline.seconds / p.client.cpuSeconds)),
        writtenBytes: pairs[0]!.client.bytes,
      })
    }
    return { events: count, decidedSeconds: decided, appendedSeconds: appended, results }
  } finally {
    await client.end()
    await log.close()
    await dropDatabase(serverUrl, name)
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

/** The middle value (of an even count, the upper of the two in the middle). */
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  )

/** The median, or undefined when any value is (the machine's CPU without /proc/stat). */
const medianOfAll = (values: (number | undefined)[]) =>
  values.every((v) => v !== undefined) ? median(values as number[]) : undefined

/** Compares two checkpoints in the log's order: (transaction id, global position). */
const before = (a: [bigint, number], b: [bigint, number]) =>
  a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1])

export interface LagResult {
  targetPerSecond: number
  seconds: number
  commands: number
  achievedPerSecond: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  pollMs: number
}

/**
 * Issues commands open-loop at `perSecond` (each at its due time, whether or not the ones
 * before it have returned) for `seconds`, with the service's runners following the log on a
 * thread of their own, as `entente serve` runs them on Postgres (its default batch interval).
 * A sampler reads every projection's checkpoint every `pollMs`; a command has been caught
 * up with at the first sample where every checkpoint is at or past its last event.
 */
export async function benchCatchUp(
  serverUrl: string,
  { perSecond = 500, seconds = 30, pollMs = 5 } = {},
): Promise<LagResult> {
  const name = 'entente_bench_lag'
  const url = await freshDatabase(serverUrl, name)
  const log = openPostgres({ connectionString: url, poolSize: 16 })
  const sampler = new pg.Client({ connectionString: url })
  await sampler.connect()
  try {
    await migrateToLatest(log.db)
    const handle = createCommandHandler({ log })
    // Enough stories for the whole run.
    const perStory = historyCommands(1).length
    const commands = historyCommands(Math.ceil((perSecond * seconds) / perStory) + 1)
    const projections = startProjectionThread({
      database: { url, poolSize: 16 },
      logLevel: 'silent',
      logger: silent,
      db: log.db,
    })
    // Let every runner take its lock and register before the clock starts.
    while (!projections.roles().every((r) => r.active)) await sleep(50)
    await sleep(500)
    const samples: { at: number; min: [bigint, number] }[] = []
    let sampling = true
    const sampling$ = (async () => {
      while (sampling) {
        const { rows } = await sampler.query(
          'select checkpoint_transaction_id::text as tx, checkpoint_position as pos from projections',
        )
        const at = performance.now()
        if (rows.length === PROJECTIONS.length) {
          const points = rows.map((r) => [BigInt(r.tx), Number(r.pos)] as [bigint, number])
          samples.push({ at, min: points.reduce((m, p) => (before(p, m) ? p : m)) })
        }
        await sleep(pollMs)
      }
    })()
    const committed: { at: number; position: number }[] = []
    const inFlight = new Set<Promise<void>>()
    const streams = new Map<string, Promise<void>>()
    const start = performance.now()
    const due = Math.floor(perSecond * seconds)
    for (let i = 0; i < due && i < commands.length; i++) {
      const wait = start + (i * 1000) / perSecond - performance.now()
      if (wait > 0) await sleep(wait)
      // A command waits for the one before it on its stream, as one client's would.
      const command = commands[i]!
      const { aggregate, id } = route(command)
      const previous = streams.get(`${aggregate}:${id}`) ?? Promise.resolve()
      const p = previous.then(async () => {
        const handled = await handle(command)
        const last = handled.events.at(-1)
        if (last) committed.push({ at: performance.now(), position: last.globalPosition })
      })
      streams.set(`${aggregate}:${id}`, p)
      inFlight.add(p)
      void p.finally(() => inFlight.delete(p))
    }
    await Promise.all(inFlight)
    const elapsed = (performance.now() - start) / 1000
    // Wait until the runners have every event, then stop sampling.
    const total = Number((await sampler.query('select count(*) as n from events')).rows[0].n)
    for (;;) {
      const { rows } = await sampler.query('select min(events_applied) as n from projections')
      if (Number(rows[0].n) >= total) break
      await sleep(pollMs)
    }
    await sleep(pollMs * 2)
    sampling = false
    await sampling$
    await projections.stop()
    // Each command's event in the log's order, then the first sample at or past it.
    const { rows } = await sampler.query(
      'select global_position as pos, transaction_id::text as tx from events where global_position = any($1::bigint[])',
      [committed.map((c) => c.position)],
    )
    const txOf = new Map(rows.map((r) => [Number(r.pos), BigInt(r.tx)]))
    const lags: number[] = []
    for (const c of committed) {
      const point: [bigint, number] = [txOf.get(c.position)!, c.position]
      const seen = samples.find((s) => s.at >= c.at && before(point, s.min))
      if (seen) lags.push(seen.at - c.at)
    }
    lags.sort((a, b) => a - b)
    return {
      targetPerSecond: perSecond,
      seconds,
      commands: committed.length,
      achievedPerSecond: committed.length / elapsed,
      p50Ms: percentile(lags, 0.5),
      p99Ms: percentile(lags, 0.99),
      maxMs: lags.at(-1) ?? Number.NaN,
      pollMs,
    }
  } finally {
    await sampler.end()
    await log.close()
    await dropDatabase(serverUrl, name)
  }
}
