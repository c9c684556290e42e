import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { migrateToLatest, openPostgres } from '../src/eventstore/index.js'
import { allTopics, createKafka } from '../src/messaging/index.js'
import { freePort, SERVICE_NODE_FLAGS } from './api.js'
import { loadHistory } from './load-dataset.js'
import { createMix } from './load-mix.js'
import { keepAlivePool, openLoop, type Summary, summarise, type Target } from './open-loop.js'
import { appendHistory } from './projection-history.js'

/**
 * The service under a realistic open-loop load, as in production: `entente serve` in a process
 * of its own on a fresh database of the Postgres server (dropped after) with the Kafka relay on
 * (topics of a prefix of its own, deleted after), projections running, keys checked, rate
 * limits on, LOG_LEVEL=warn. The log is seeded with a history of `events` events (see
 * load-dataset.ts), written straight into the log before the service starts; the run begins
 * once the read models and the relay have caught up with it.
 *
 * - Steps: the mix of load-mix.ts at rising rates, `stepSeconds` each, until a step's p99
 *   passes 100 ms (or it fails requests, or falls 10% short of its rate). The highest
 *   sustained rate is the highest step with p99 ≤ 100 ms, no failed request and at least 95%
 *   of its target achieved.
 * - Soak: the same mix at half that rate for `soakSeconds`, sampling the service's resident
 *   memory (/proc/<pid>/status) and the projection and relay lag (/metrics) every
 *   `sampleSeconds`.
 */

const root = path.resolve(import.meta.dirname, '..')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const P99_LIMIT_MS = 100

export interface LoadOptions {
  events: number
  startRate: number
  maxRate: number
  stepSeconds: number
  soakSeconds: number
  sampleSeconds: number
}

/** The next rate: +10 up to 50 a second, +25 up to 100, then +25% rounded to 25. */
const nextRate = (rate: number) =>
  rate < 50
    ? rate + 10
    : rate < 100
      ? rate + 25
      : Math.max(rate + 25, Math.round((rate * 1.25) / 25) * 25)

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.on('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  await exited
  clearTimeout(timer)
}

/** The values of a metric's series in Prometheus text, whatever their labels. */
function seriesOf(text: string, name: string): number[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)))
}

interface Sample {
  atSeconds: number
  rssMiB: number
  hwmMiB: number
  projectionLagSeconds: number
  projectionLagEvents: number
  relayLagSeconds: number
  relayLagEvents: number
  relayActive: boolean
}

/** Memory from /proc, lags from /metrics (the largest over the read models). */
async function sample(base: string, adminKey: string, pid: number, t0: number): Promise<Sample> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1])
  const response = await fetch(`${base}/metrics`, {
    headers: { authorization: `Bearer ${adminKey}` },
  })
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`)
  const text = await response.text()
  const max = (name: string) => Math.max(0, ...seriesOf(text, name))
  return {
    atSeconds: (performance.now() - t0) / 1000,
    rssMiB: kib('VmRSS') / 1024,
    hwmMiB: kib('VmHWM') / 1024,
    projectionLagSeconds: max('entente_projection_lag_seconds'),
    projectionLagEvents: max('entente_projection_lag_events'),
    relayLagSeconds: max('entente_relay_lag_seconds'),
    relayLagEvents: max('entente_relay_lag_events'),
    relayActive: /^entente_relay_state\{state="active"\} 1$/m.test(text),
  }
}

const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

/** Largest of the middle and last thirds of the samples, and whether the last stays under `limit(middle)`. */
function thirds(values: number[], limit: (middle: number) => number) {
  const third = Math.floor(values.length / 3)
  const middle = Math.max(...values.slice(third, 2 * third))
  const last = Math.max(...values.slice(2 * third))
  return { middleMax: middle, lastMax: last, bounded: last <= limit(middle) }
}

export interface StepResult extends Summary {
  seconds: number
  sustained: boolean
  failures: string[]
}

export async function benchLoad(serverUrl: string, brokers: string[], options: LoadOptions) {
  const run = randomUUID().slice(0, 8)
  const name = `entente_bench_load_${run}`
  const topicPrefix = `bench-load-${run}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const dbUrl = new URL(serverUrl)
  dbUrl.pathname = `/${name}`
  const adminKey = `bench-admin-${randomUUID()}`
  let service: ChildProcess | undefined
  try {
    // The dataset, straight into the log (the hash chain and positions are the database's).
    const seeding = performance.now()
    const { world, events } = loadHistory(options.events)
    const seededEvents = events.length
    const log = openPostgres({ connectionString: dbUrl.toString(), poolSize: 2 })
    await migrateToLatest(log.db)
    await log.close()
    const client = new pg.Client({ connectionString: dbUrl.toString() })
    await client.connect()
    await appendHistory(client, events)
    // The events are in the log now; the load generator keeps only the world, to stay light.
    events.length = 0
    await client.query('analyze')
    await client.end()
    const seedSeconds = (performance.now() - seeding) / 1000

    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    service = spawn('node', [...SERVICE_NODE_FLAGS, 'bin/entente.js', 'serve'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: dbUrl.toString(),
        DATABASE_POOL_SIZE: '32',
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: topicPrefix,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ENTENTE_ADMIN_KEY: adminKey,
        RATE_LIMIT_PER_KEY: '10000000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    const pid = service.pid!
    const t0 = performance.now()

    // Ready, then caught up: every read model and the relay have the whole seeded log.
    let caughtUp: Sample | undefined
    for (let i = 0; i < 1_800 && !caughtUp; i++) {
      if (service.exitCode !== null) throw new Error('entente serve exited')
      try {
        const s = await sample(base, adminKey, pid, t0)
        if (s.relayActive && s.projectionLagEvents === 0 && s.relayLagEvents === 0) caughtUp = s
      } catch {}
      if (!caughtUp) await sleep(500)
    }
    if (!caughtUp) throw new Error('the service did not catch up with the seeded log in 15 minutes')
    const catchUpSeconds = (performance.now() - t0) / 1000

    const keyFor = async (scope: string) => {
      const response = await fetch(`${base}/v1/admin/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `bench load ${scope}`, scopes: [scope] }),
      })
      if (!response.ok) throw new Error(`a ${scope} key: ${response.status}`)
      return ((await response.json()) as { key: string }).key
    }
    const target: Target = {
      port,
      agent: keepAlivePool(),
      keys: {
        read: await keyFor('read'),
        command: await keyFor('commands:write'),
        audit: await keyFor('audit:read'),
      },
    }
    const next = createMix(world)

    // Warm-up (not counted): the JIT, the pools and the caches.
    await openLoop(target, next, options.startRate, Math.min(10, options.stepSeconds))

    const steps: StepResult[] = []
    for (let rate = options.startRate; rate <= options.maxRate; rate = nextRate(rate)) {
      await sleep(2_000)
      const result = await openLoop(target, next, rate, options.stepSeconds)
      const summary = summarise(result, rate, options.stepSeconds)
      const failed = summary.non2xx + summary.errors
      const sustained =
        summary.p99Ms <= P99_LIMIT_MS && failed === 0 && summary.achievedRate >= 0.95 * rate
      steps.push({ ...summary, seconds: options.stepSeconds, sustained, failures: result.failures })
      console.error(
        `  step ${rate}/s: achieved ${summary.achievedRate.toFixed(0)}/s, p50 ${summary.p50Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms, non-2xx ${summary.non2xx}, errors ${summary.errors}`,
      )
      for (const failure of result.failures) console.error(`    ${failure}`)
      if (summary.p99Ms > P99_LIMIT_MS || failed > summary.requests / 100) break
      if (summary.achievedRate < 0.9 * rate) break
    }
    const highest = Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.targetRate))

    // The soak, at half the highest sustained rate.
    const soakRate = Math.max(1, Math.floor((highest || options.startRate) / 2))
    await sleep(2_000)
    const samples: Sample[] = [await sample(base, adminKey, pid, t0)]
    let soaking = true
    const sampling = (async () => {
      while (soaking) {
        await sleep(options.sampleSeconds * 1000)
        // A failed sample (the service busy past fetch's patience) is a gap, not the end.
        const s = soaking ? await sample(base, adminKey, pid, t0).catch(() => undefined) : undefined
        if (s) samples.push(s)
      }
    })()
    const soakRun = await openLoop(target, next, soakRate, options.soakSeconds)
    soaking = false
    await sampling
    samples.push(await sample(base, adminKey, pid, t0))
    for (const failure of soakRun.failures) console.error(`    soak: ${failure}`)
    const soakSummary = summarise(soakRun, soakRate, options.soakSeconds)
    const during = samples.slice(1)
    const column = (key: keyof Sample) => during.map((s) => s[key] as number)
    const lag = (key: keyof Sample) => ({
      max: Math.max(...column(key)),
      p99: quantile(column(key), 0.99),
      ...thirds(column(key), (middle) => Math.max(2 * middle, 1)),
    })
    const soak = {
      ...soakSummary,
      seconds: options.soakSeconds,
      sampleSeconds: options.sampleSeconds,
      rss: {
        beforeMiB: samples[0]!.rssMiB,
        // The largest sample during the soak; VmHWM is the whole life's, catch-up included.
        peakMiB: Math.max(...column('rssMiB')),
        lifetimePeakMiB: samples.at(-1)!.hwmMiB,
        ...thirds(column('rssMiB'), (middle) => middle * 1.1),
      },
      projectionLagSeconds: lag('projectionLagSeconds'),
      projectionLagEvents: lag('projectionLagEvents'),
      relayLagSeconds: lag('relayLagSeconds'),
      relayLagEvents: lag('relayLagEvents'),
      failures: soakRun.failures,
      samples,
    }
    const dataset = {
      events: seededEvents,
      streams: world.versions.size,
      visits: world.seeded.visits.length,
      calls: world.seeded.calls.length,
      meetings: world.seeded.meetings.length,
      seedSeconds,
      catchUpSeconds,
    }
    return { dataset, options, p99LimitMs: P99_LIMIT_MS, steps, highest, soakRate, soak }
  } finally {
    if (service) await stop(service)
    await admin.query(`drop database if exists ${name} with (force)`)
    await admin.end()
    const kafka = createKafka({ brokers, clientId: 'bench-load-cleanup' }).admin()
    await kafka.connect()
    await kafka.deleteTopics({ topics: allTopics(topicPrefix) }).catch(() => {})
    await kafka.disconnect()
  }
}
