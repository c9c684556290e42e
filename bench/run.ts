import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { benchApi } from './api.js'
import { benchEventLog } from './event-log.js'

// `npm run bench [-- event-log api]`: the named benchmarks (default: all), against the real
// Postgres named by DATABASE_URL (default: the local server). Prints tables for README and
// writes bench/results/<name>.json.
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const ms = Number(process.env.BENCH_SECONDS ?? 5) * 1000

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`
const save = (name: string, results: unknown) =>
  writeFileSync(
    path.join(import.meta.dirname, 'results', `${name}.json`),
    `${JSON.stringify({ at: new Date().toISOString(), machine, rounds, seconds: ms / 1000, results }, null, 2)}\n`,
  )

const BENCHMARKS: Record<string, () => Promise<void>> = {
  'event-log': async () => {
    console.log(
      `# Event log appends (${machine}); ${rounds} alternating rounds of ${ms / 1000} s, medians`,
    )
    const results = await benchEventLog(serverUrl, { rounds, ms })
    console.log('| shape | raw SQL baseline (events/s) | appendToStream (events/s) | ratio |')
    console.log('|---|---:|---:|---:|')
    for (const r of results)
      console.log(`| ${r.shape} | ${fmt(r.baseline)} | ${fmt(r.entente)} | ${r.ratio.toFixed(2)} |`)
    save('event-log', results)
  },
  api: async () => {
    console.log(
      `# REST API under autocannon (${machine}); ${rounds} alternating rounds of ${ms / 1000} s, medians`,
    )
    const { commands, reads } = await benchApi(serverUrl, { rounds, ms })
    console.log(
      '| POST /v1/visits | raw SQL appends/s | commands/s | ratio | p50 ms | p99 ms | non-2xx |',
    )
    console.log('|---|---:|---:|---:|---:|---:|---:|')
    for (const r of commands)
      console.log(
        `| ${r.connections} connections | ${fmt(r.baselineAppendsPerSecond)} | ${fmt(r.requestsPerSecond)} | ${r.ratio.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} |`,
      )
    console.log(
      '| GET | bare Fastify req/s (p50/p99 ms) | Entente req/s | ratio | p50 ms | p99 ms | non-2xx |',
    )
    console.log('|---|---:|---:|---:|---:|---:|---:|')
    for (const r of reads)
      console.log(
        `| ${r.route}, ${r.connections} connections | ${fmt(r.baseline.requestsPerSecond)} (${r.baseline.p50Ms}/${r.baseline.p99Ms}) | ${fmt(r.requestsPerSecond)} | ${r.ratio.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} |`,
      )
    save('api', { commands, reads })
  },
}

const selected = process.argv.slice(2)
for (const name of selected)
  if (!BENCHMARKS[name]) {
    console.error(`no benchmark ${name}; there are ${Object.keys(BENCHMARKS).join(', ')}`)
    process.exit(2)
  }
for (const name of selected.length > 0 ? selected : Object.keys(BENCHMARKS)) {
  await BENCHMARKS[name]!()
  console.log()
}
