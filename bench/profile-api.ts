import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import pg from 'pg'
import { commandExample } from '../src/api/schemas/examples.js'
import { SERVICE_NODE_FLAGS } from './api.js'

/**
 * `node --import=tsx bench/profile-api.ts post|get|live [connections] [seconds]`: runs
 * `entente serve` under `--cpu-prof` with autocannon on one route, then prints where the
 * service's CPU went (self time by function, and by package). A tool for finding costs, not
 * a benchmark: the profiler slows everything down.
 */
const [scenario = 'post', connectionsText = '8', secondsText = '10'] = process.argv.slice(2)
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const root = path.resolve(import.meta.dirname, '..')
const ADMIN_KEY = `profile-admin-${randomUUID()}`
const port = 3900 + Math.floor(Math.random() * 90)
const base = `http://127.0.0.1:${port}`

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error('the service exited')
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not answer`)
}

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

function summarise(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Node[]
    samples: number[]
    timeDeltas: number[]
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  // Only the last WINDOW seconds (the load, not the start): sample times from their deltas.
  const times: number[] = []
  profile.timeDeltas.reduce((t, d, i) => (times[i] = t + d), 0)
  const from = times.at(-1)! - Number(process.env.WINDOW ?? 1e9) * 1e6
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    if (times[i]! >= from) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const byFunction = new Map<string, number>()
  const byPackage = new Map<string, number>()
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame
    const short = url.replace(/^file:\/\/.*?\/wt-[^/]+\//, '')
    const pkg =
      /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      (url.startsWith('node:')
        ? url
        : url === ''
          ? `(${functionName || 'native'})`
          : short.split('/').slice(0, 2).join('/'))
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us)
    const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + us)
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n')
  // Inclusive time: each function counted once per sampled stack.
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const inclusive = new Map<string, number>()
  const name = (n: Node) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^file:\/\/.*?\/wt-[^/]+\//, '')}:${n.callFrame.lineNumber + 1}`
  for (const [id, us] of self) {
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = name(byId.get(at)!)
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + us)
    }
  }
  const callersOf = process.env.CALLERS
  let callers = ''
  if (callersOf) {
    const stacks = new Map<string, number>()
    for (const [id, us] of self) {
      const chain: string[] = []
      let hit = false
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const key = name(byId.get(at)!)
        if (key.includes(callersOf)) hit = true
        if (hit) chain.push(key)
      }
      if (hit) {
        const k = chain.slice(0, 12).join(' < ')
        stacks.set(k, (stacks.get(k) ?? 0) + us)
      }
    }
    callers = `\n-- stacks through ${callersOf}\n${top(stacks, 8)}`
  }
  console.log(
    `\n${file}: ${(total / 1e6).toFixed(1)} s sampled\n-- by package\n${top(byPackage, 25)}\n-- by function (self)\n${top(byFunction, 40)}\n-- by function (inclusive)\n${top(new Map([...inclusive].filter(([k]) => k.includes('src/') || k.includes('node_modules/'))), 60)}${callers}`,
  )
}

if (scenario.endsWith('.cpuprofile')) {
  summarise(scenario)
  process.exit(0)
}
const admin = new pg.Client({ connectionString: serverUrl })
await admin.connect()
await admin.query('drop database if exists entente_profile_api with (force)')
await admin.query('create database entente_profile_api')
const dbUrl = new URL(serverUrl)
dbUrl.pathname = '/entente_profile_api'
const profDir = mkdtempSync(path.join(tmpdir(), 'entente-prof-'))
const service = spawn(
  'node',
  [
    ...SERVICE_NODE_FLAGS,
    ...(process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean),
    '--cpu-prof',
    `--cpu-prof-dir=${profDir}`,
    'bin/entente.js',
    'serve',
  ],
  {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: dbUrl.toString(),
      DATABASE_POOL_SIZE: '32',
      KAFKA_BROKERS: '',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ENTENTE_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_PER_KEY: '10000000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
)
try {
  await waitFor(`${base}/health/ready`, service)
  const keyFor = async (scope: string) => {
    const response = await fetch(`${base}/v1/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: scope, scopes: [scope] }),
    })
    return ((await response.json()) as { key: string }).key
  }
  const writer = await keyFor('commands:write')
  const reader = await keyFor('read')
  const { visitId: _, ...body } = commandExample('ScheduleVisit')![0]!
  const post = {
    url: `${base}/v1/visits`,
    method: 'POST' as const,
    headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
  const created = await fetch(post.url, post)
  const location = created.headers.get('location')!
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${base}${location}`, { headers: { authorization: `Bearer ${reader}` } })
    if (r.ok) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const options =
    scenario === 'post'
      ? post
      : {
          url: `${base}${scenario === 'live' ? '/health/live' : location}`,
          headers: { authorization: `Bearer ${reader}` },
        }
  const transactions = async () =>
    Number(
      (
        await admin.query(
          "select xact_commit + xact_rollback as n from pg_stat_database where datname = 'entente_profile_api'",
        )
      ).rows[0].n,
    )
  const transactionsBefore = await transactions()
  const result = await autocannon({
    ...options,
    connections: Number(connectionsText),
    duration: Number(secondsText),
  })
  // The statistics collector reports with a delay of up to a second.
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  const perRequest = ((await transactions()) - transactionsBefore) / result.requests.total
  console.log(
    `${scenario}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, ${perRequest.toFixed(1)} Postgres transactions a request`,
  )
} finally {
  const exited = new Promise((resolve) => service.on('exit', resolve))
  service.kill('SIGTERM')
  await exited
  await admin.query('drop database if exists entente_profile_api with (force)')
  await admin.end()
}
// The first profile is the main thread's (the second, tsx's loader thread, is idle).
const [main] = readdirSync(profDir).sort()
summarise(path.join(profDir, main!))
