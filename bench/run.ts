import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { benchEventLog } from './event-log.js'

// `npm run bench`: every benchmark, against the real Postgres named by DATABASE_URL (default:
// the local server). Prints a table for README and writes bench/results/<name>.json.
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const ms = Number(process.env.BENCH_SECONDS ?? 5) * 1000

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`

console.log(
  `# Event log appends (${machine}); ${rounds} alternating rounds of ${ms / 1000} s, medians`,
)
const results = await benchEventLog(serverUrl, { rounds, ms })
console.log('| shape | raw SQL baseline (events/s) | appendToStream (events/s) | ratio |')
console.log('|---|---:|---:|---:|')
for (const r of results)
  console.log(`| ${r.shape} | ${fmt(r.baseline)} | ${fmt(r.entente)} | ${r.ratio.toFixed(2)} |`)
writeFileSync(
  path.join(import.meta.dirname, 'results', 'event-log.json'),
  `${JSON.stringify({ at: new Date().toISOString(), machine, rounds, seconds: ms / 1000, results }, null, 2)}\n`,
)
