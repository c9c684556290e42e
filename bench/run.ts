import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { benchEventLog } from './event-log.js'
import { benchRelay } from './relay.js'

// `npm run bench [-- event-log|relay …]`: the benchmarks named (all when none), against the
// real Postgres named by DATABASE_URL (default: the local server) and, for the relay, the
// Kafka broker of KAFKA_BROKERS. Prints tables for README and writes bench/results/<name>.json.
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const ms = Number(process.env.BENCH_SECONDS ?? 5) * 1000
const BENCHES = ['event-log', 'relay'] as const
const selected = process.argv.slice(2)
for (const name of selected)
  if (!(BENCHES as readonly string[]).includes(name))
    throw new Error(`unknown benchmark ${name}; choose from ${BENCHES.join(', ')}`)
const runs = (name: (typeof BENCHES)[number]) => selected.length === 0 || selected.includes(name)

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`
const save = (name: string, body: object) =>
  writeFileSync(
    path.join(import.meta.dirname, 'results', `${name}.json`),
    `${JSON.stringify({ at: new Date().toISOString(), machine, rounds, ...body }, null, 2)}\n`,
  )

if (runs('event-log')) {
  console.log(
    `# Event log appends (${machine}); ${rounds} alternating rounds of ${ms / 1000} s, medians`,
  )
  const results = await benchEventLog(serverUrl, { rounds, ms })
  console.log('| shape | raw SQL baseline (events/s) | appendToStream (events/s) | ratio |')
  console.log('|---|---:|---:|---:|')
  for (const r of results)
    console.log(`| ${r.shape} | ${fmt(r.baseline)} | ${fmt(r.entente)} | ${r.ratio.toFixed(2)} |`)
  save('event-log', { seconds: ms / 1000, results })
}

if (runs('relay')) {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter((b) => b.trim() !== '')
  if (brokers.length === 0) {
    if (selected.includes('relay')) throw new Error('the relay benchmark needs KAFKA_BROKERS')
    console.log('# Kafka relay: skipped, KAFKA_BROKERS is not set')
  } else await runRelayBench(brokers)
}

async function runRelayBench(brokers: string[]) {
  const events = Number(process.env.BENCH_RELAY_EVENTS ?? 20_000)
  const latencySeconds = Number(process.env.BENCH_LATENCY_SECONDS ?? 10)
  console.log(
    `# Kafka relay (${machine}); ${rounds} alternating rounds of ${events} events, medians`,
  )
  const r = await benchRelay(serverUrl, brokers, { rounds, events, latencySeconds })
  console.log('| bare kafkajs producer (events/s) | relay (events/s) | ratio |')
  console.log('|---:|---:|---:|')
  console.log(`| ${fmt(r.baseline)} | ${fmt(r.relay)} | ${r.ratio.toFixed(2)} |`)
  const l = r.latency
  console.log(
    `append → consumer at ${l.rate} events/s, ${l.events} events: p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms`,
  )
  save('relay', { events, latencySeconds, result: r })
}
