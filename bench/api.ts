import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import pg from 'pg'
import { commandExample } from '../src/api/schemas/examples.js'
import { rate } from './event-log.js'

/**
 * The REST API under autocannon, each figure beside a baseline measured in the same run, in
 * alternating rounds (baseline, Entente, …) with medians, because the machine is shared:
 * - command POSTs (`POST /v1/visits`, ScheduleVisit: one event each) per second at 8 and 32
 *   connections, beside raw-SQL single-event appends with as many connections: to the service
 *   with its projections running, and to an API instance started with PROJECTIONS=off (the
 *   command path alone, its read models left to other processes);
 * - GETs of a read model (`GET /v1/visits/{id}`) beside a bare Fastify route answering the
 *   same JSON.
 * The service runs as `entente serve` in a process of its own, as in production (Postgres,
 * projections running, API keys checked, rate limits on, LOG_LEVEL=warn), with a pool of 32.
 */

const root = path.resolve(import.meta.dirname, '..')
const ADMIN_KEY = `bench-admin-${randomUUID()}`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited`)
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not answer`)
}

/** Node's flags for the service, as `npm start` and the `entente` bin give them (README, Operations). */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=64']

function start(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn('node', args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.on('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

export interface Load {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
}

async function load(options: autocannon.Options): Promise<Load> {
  const result = await autocannon(options)
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }
}

/** The round whose rate is the median, to report its latencies with it. */
function medianRound(rounds: Load[]): Load {
  const m = median(rounds.map((r) => r.requestsPerSecond))
  return rounds.find((r) => r.requestsPerSecond === m)!
}

async function rawAppends(url: string, writers: number, ms: number, run: string) {
  const clients = await Promise.all(
    Array.from({ length: writers }, async () => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      return client
    }),
  )
  const versions = new Map<number, number>()
  const body = JSON.stringify(commandBody())
  try {
    return await rate(writers, ms, async (w) => {
      const version = (versions.get(w) ?? 0) + 1
      const stream = `raw-${run}-${w}`
      await clients[w]!.query(
        `with appended as (
           insert into events (event_id, stream_id, stream_version, event_type, schema_version, data, metadata, hash)
           values ($1::uuid, $2, $3, 'VisitScheduled', 1, $4::jsonb, $5::jsonb, ''::bytea)
           returning global_position)
         insert into streams (stream_id, version) values ($2, $3)
           on conflict (stream_id) do update set version = excluded.version, updated_at = now()`,
        [randomUUID(), stream, version, body, JSON.stringify(metadataLike())],
      )
      versions.set(w, version)
      return 1
    })
  } finally {
    await Promise.all(clients.map((c) => c.end()))
  }
}

/**
 * Single-event appends to new streams through `entente_append_to_stream` (the SQL function
 * behind every command: stream lock, retry probe, version check, insert, head), with the
 * service's payload shape: the cost of the append alone, without HTTP or the domain.
 */
async function functionAppends(url: string, writers: number, ms: number, run: string) {
  const clients = await Promise.all(
    Array.from({ length: writers }, async () => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      return client
    }),
  )
  const data = commandBody()
  let n = 0
  try {
    return await rate(writers, ms, async (w) => {
      const events = JSON.stringify([
        {
          event_id: randomUUID(),
          event_type: 'VisitScheduled',
          schema_version: 1,
          data,
          metadata: metadataLike(),
        },
      ])
      await clients[w]!.query(
        'select out_event_id, out_stream_version, out_global_position, out_replayed from entente_append_to_stream($1, $2, $3::jsonb, false)',
        [`fn-${run}-${n++}`, '0', events],
      )
      return 1
    })
  } finally {
    await Promise.all(clients.map((c) => c.end()))
  }
}

/** Metadata of the size and shape the service stores with each event. */
function metadataLike(): Record<string, unknown> {
  const id = randomUUID()
  return {
    actor: 'key:bench-writer',
    commandType: 'ScheduleVisit',
    commandAt: new Date().toISOString(),
    sources: commandBody().sources,
    requestId: id,
    correlationId: id,
  }
}

/** The seed article's ScheduleVisit, without its id: every POST schedules a new visit. */
function commandBody(): Record<string, unknown> {
  const { visitId: _, ...body } = commandExample('ScheduleVisit')![0]!
  return body
}

export async function benchApi(serverUrl: string, options = { rounds: 3, ms: 5_000 }) {
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query('drop database if exists entente_bench_api with (force)')
  await admin.query('create database entente_bench_api')
  const dbUrl = new URL(serverUrl)
  dbUrl.pathname = '/entente_bench_api'
  await admin.query('drop database if exists entente_bench_api_alone with (force)')
  await admin.query('create database entente_bench_api_alone')
  const aloneUrl = new URL(serverUrl)
  aloneUrl.pathname = '/entente_bench_api_alone'
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const serviceEnv = {
    DATABASE_POOL_SIZE: '32',
    KAFKA_BROKERS: '',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ENTENTE_ADMIN_KEY: ADMIN_KEY,
    RATE_LIMIT_PER_KEY: '10000000',
  }
  const service = start([...SERVICE_NODE_FLAGS, 'bin/entente.js', 'serve'], {
    ...serviceEnv,
    DATABASE_URL: dbUrl.toString(),
    PORT: String(port),
  })
  const dir = mkdtempSync(path.join(tmpdir(), 'entente-bench-'))
  let bare: ChildProcess | undefined
  let alone: ChildProcess | undefined
  try {
    await waitFor(`${base}/health/ready`, service)
    const keyFor = async (scope: string, at = base) => {
      const response = await fetch(`${at}/v1/admin/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `bench ${scope}`, scopes: [scope] }),
      })
      return ((await response.json()) as { key: string }).key
    }
    const writer = await keyFor('commands:write')
    const reader = await keyFor('read')
    const body = JSON.stringify(commandBody())
    const post = {
      url: `${base}/v1/visits`,
      method: 'POST' as const,
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
      body,
    }

    // Reads first, on a store holding one visit: once the command rounds have appended
    // thousands, the runners catching up would take the CPU from the reads.
    // A visit to read, once its read model has it.
    const created = await fetch(post.url, { ...post })
    const location = created.headers.get('location')!
    let doc: unknown
    for (let i = 0; i < 600 && doc === undefined; i++) {
      const response = await fetch(`${base}${location}`, {
        headers: { authorization: `Bearer ${reader}` },
      })
      if (response.ok) doc = await response.json()
      else await new Promise((resolve) => setTimeout(resolve, 100))
    }
    if (doc === undefined) throw new Error(`${location} never appeared in the read model`)
    const docFile = path.join(dir, 'visit.json')
    writeFileSync(docFile, JSON.stringify(doc))
    const barePort = await freePort()
    bare = start([
      '--import=tsx',
      'bench/bare-server.ts',
      docFile,
      String(barePort),
      dbUrl.toString(),
    ])
    await waitFor(`http://127.0.0.1:${barePort}${location}`, bare)

    const reads = []
    // The last row: the liveness route, which touches no database, to tell the cost of the
    // HTTP stack (security headers, rate limit, metrics, logging) from that of the read.
    for (const [connections, target] of [
      [8, location],
      [32, location],
      [32, '/health/live'],
    ] as const) {
      const baseline: Load[] = []
      const withQuery: Load[] = []
      const entente: Load[] = []
      for (let round = 0; round < options.rounds; round++) {
        const duration = options.ms / 1000
        baseline.push(
          await load({ url: `http://127.0.0.1:${barePort}${target}`, connections, duration }),
        )
        if (target === location)
          withQuery.push(
            await load({
              url: `http://127.0.0.1:${barePort}/query${target}`,
              connections,
              duration,
            }),
          )
        entente.push(
          await load({
            url: `${base}${target}`,
            headers: { authorization: `Bearer ${reader}` },
            connections,
            duration,
          }),
        )
      }
      const b = medianRound(baseline)
      const m = medianRound(entente)
      reads.push({
        route: target === location ? 'GET /v1/visits/{id}' : target,
        connections,
        baseline: b,
        // The bare route after the read's one query: what no uncached read can beat.
        ...(withQuery.length > 0 ? { bareWithQuery: medianRound(withQuery) } : {}),
        ...m,
        ratio: m.requestsPerSecond / b.requestsPerSecond,
        rounds: { baseline, withQuery, entente },
      })
    }
    // The same commands to an API instance that leaves the read models to other processes
    // (PROJECTIONS=off), on a database of its own so that the first service's runners do not
    // project them either: the command path alone, as the raw appends are.
    const alonePort = await freePort()
    const aloneBase = `http://127.0.0.1:${alonePort}`
    alone = start([...SERVICE_NODE_FLAGS, 'bin/entente.js', 'serve'], {
      ...serviceEnv,
      DATABASE_URL: aloneUrl.toString(),
      PORT: String(alonePort),
      PROJECTIONS: 'off',
    })
    await waitFor(`${aloneBase}/health/ready`, alone)
    const alonePost = {
      ...post,
      url: `${aloneBase}/v1/visits`,
      headers: {
        ...post.headers,
        authorization: `Bearer ${await keyFor('commands:write', aloneBase)}`,
      },
    }
    // Its first seconds, unmeasured: the other service warmed up on the reads.
    await load({ ...alonePost, connections: 8, duration: 3 })

    const commands = []
    for (const connections of [8, 32]) {
      const baseline: number[] = []
      const viaFunction: number[] = []
      const entente: Load[] = []
      const apiAlone: Load[] = []
      for (let round = 0; round < options.rounds; round++) {
        baseline.push(
          await rawAppends(dbUrl.toString(), connections, options.ms, `${connections}-${round}`),
        )
        viaFunction.push(
          await functionAppends(
            dbUrl.toString(),
            connections,
            options.ms,
            `${connections}-${round}`,
          ),
        )
        entente.push(await load({ ...post, connections, duration: options.ms / 1000 }))
        apiAlone.push(await load({ ...alonePost, connections, duration: options.ms / 1000 }))
      }
      const m = medianRound(entente)
      const a = medianRound(apiAlone)
      commands.push({
        connections,
        baselineAppendsPerSecond: median(baseline),
        // The same appends through entente_append_to_stream, as the service makes them.
        functionAppendsPerSecond: median(viaFunction),
        ...m,
        ratio: m.requestsPerSecond / median(baseline),
        // PROJECTIONS=off: the runners elsewhere (here: not running).
        apiAlone: { ...a, ratio: a.requestsPerSecond / median(baseline) },
        rounds: { baseline, viaFunction, entente, apiAlone },
      })
    }

    return { commands, reads }
  } finally {
    if (bare) await stop(bare)
    if (alone) await stop(alone)
    await stop(service)
    rmSync(dir, { recursive: true, force: true })
    await admin.query('drop database if exists entente_bench_api with (force)')
    await admin.query('drop database if exists entente_bench_api_alone with (force)')
    await admin.end()
  }
}
