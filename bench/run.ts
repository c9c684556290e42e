import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { benchApi } from './api.js'
import { benchEventLog } from './event-log.js'
import { benchCatchUp, benchRebuild } from './projections.js'
import { benchRelay } from './relay.js'

// `npm run bench [-- <name>…]`: the benchmarks named (event-log, projections, api, relay;
// relay needs KAFKA_BROKERS), or all of them,
// against the real Postgres named by DATABASE_URL (default: the local server). Prints tables
// for README and writes bench/results/<name>.json.
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const ms = Number(process.env.BENCH_SECONDS ?? 5) * 1000
const rebuildEvents = Number(process.env.BENCH_REBUILD_EVENTS ?? 200_000)
const lagSeconds = Number(process.env.BENCH_LAG_SECONDS ?? 30)
const lagRate = Number(process.env.BENCH_LAG_RATE ?? 500)

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`
const save = (name: string, results: object) =>
  writeFileSync(
    path.join(import.meta.dirname, 'results', `${name}.json`),
    `${JSON.stringify({ at: new Date().toISOString(), machine, ...results }, null, 2)}\n`,
  )

const BENCHES: Record<string, () => Promise<void>> = {
  'event-log': async () => {
    console.log(
      `# Event log appends (${machine}); ${rounds} alternating rounds of ${ms / 1000} s, medians`,
    )
    const results = await benchEventLog(serverUrl, { rounds, ms })
    console.log('| shape | raw SQL baseline (events/s) | appendToStream (events/s) | ratio |')
    console.log('|---|---:|---:|---:|')
    for (const r of results)
      console.log(`| ${r.shape} | ${fmt(r.baseline)} | ${fmt(r.entente)} | ${r.ratio.toFixed(2)} |`)
    save('event-log', { rounds, seconds: ms / 1000, results })
  },
  projections: async () => {
    console.log(`# Projection rebuild (${machine}), ${fmt(rebuildEvents)} events`)
    const rebuild = await benchRebuild(serverUrl, rebuildEvents)
    console.log(
      `(${fmt(rebuild.events)} events decided in ${rebuild.decidedSeconds.toFixed(1)} s, appended in ${rebuild.appendedSeconds.toFixed(1)} s)`,
    )
    console.log(
      '| projection | documents | parts | rows | raw bulk insert (s) | rebuild (s) | raw insert (events/s) | rebuild (events/s) | ratio |',
    )
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    for (const r of rebuild.results)
      console.log(
        `| ${r.projection} | ${fmt(r.documents)} | ${fmt(r.parts)} | ${fmt(r.rows)} | ${r.baselineSeconds.toFixed(1)} | ${r.rebuildSeconds.toFixed(1)} | ${fmt(r.baselineEventsPerSecond)} | ${fmt(r.rebuildEventsPerSecond)} | ${r.ratio.toFixed(2)} |`,
      )
    console.log(`# Catch-up lag at ${lagRate} commands/s for ${lagSeconds} s`)
    const lag = await benchCatchUp(serverUrl, { perSecond: lagRate, seconds: lagSeconds })
    console.log('| commands | achieved (commands/s) | lag p50 (ms) | lag p99 (ms) | max (ms) |')
    console.log('|---:|---:|---:|---:|---:|')
    console.log(
      `| ${fmt(lag.commands)} | ${fmt(lag.achievedPerSecond)} | ${fmt(lag.p50Ms)} | ${fmt(lag.p99Ms)} | ${fmt(lag.maxMs)} |`,
    )
    save('projections', { rebuild, lag })
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
    save('api', { rounds, seconds: ms / 1000, commands, reads })
  },
  relay: async () => {
    const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter((b) => b.trim() !== '')
    if (brokers.length === 0) {
      if (wanted.includes('relay')) throw new Error('the relay benchmark needs KAFKA_BROKERS')
      console.log('# Kafka relay: skipped, KAFKA_BROKERS is not set')
      return
    }
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
    save('relay', { rounds, events, latencySeconds, result: r })
  },
}

const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !(name in BENCHES))
if (unknown.length > 0) {
  console.error(`no benchmark ${unknown.join(', ')}; there are ${Object.keys(BENCHES).join(', ')}`)
  process.exit(2)
}
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) await BENCHES[name]!()
