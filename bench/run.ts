import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { benchApi } from './api.js'
import { benchEventLog } from './event-log.js'
import { benchLoad } from './load.js'
import { benchCatchUp, benchRebuild } from './projections.js'
import { benchRelay } from './relay.js'

// `npm run bench [-- <name>…]`: the benchmarks named (event-log, projections, api, relay, load;
// relay and load need KAFKA_BROKERS), or all of them,
// against the real Postgres named by DATABASE_URL (default: the local server). Prints tables
// for README and writes bench/results/<name>.json.
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const ms = Number(process.env.BENCH_SECONDS ?? 5) * 1000
const rebuildEvents = Number(process.env.BENCH_REBUILD_EVENTS ?? 200_000)
const rebuildRounds = Number(process.env.BENCH_REBUILD_ROUNDS ?? 3)
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
    // The catch-up first: run after the three rebuilds (in the same process, on a server that
    // has just taken a gigabyte of their writes), it achieved 380 to 410 commands a second.
    console.log(`# Catch-up lag at ${lagRate} commands/s for ${lagSeconds} s`)
    const lag = await benchCatchUp(serverUrl, { perSecond: lagRate, seconds: lagSeconds })
    console.log('| commands | achieved (commands/s) | lag p50 (ms) | lag p99 (ms) | max (ms) |')
    console.log('|---:|---:|---:|---:|---:|')
    console.log(
      `| ${fmt(lag.commands)} | ${fmt(lag.achievedPerSecond)} | ${fmt(lag.p50Ms)} | ${fmt(lag.p99Ms)} | ${fmt(lag.maxMs)} |`,
    )
    console.log(
      `# Projection rebuild (${machine}), ${fmt(rebuildEvents)} events, ${rebuildRounds} rounds of a rebuild and its baseline (medians)`,
    )
    const rebuild = await benchRebuild(serverUrl, rebuildEvents, rebuildRounds)
    console.log(
      `(${fmt(rebuild.events)} events decided in ${rebuild.decidedSeconds.toFixed(1)} s, appended in ${rebuild.appendedSeconds.toFixed(1)} s)`,
    )
    console.log(
      "| projection | documents | parts | rows | raw bulk insert (s) | rebuild (s) | raw insert (events/s) | rebuild (events/s) | ratio | rounds' ratios | rebuild CPU (s): runner, machine | ratio with every core busy | runner's work alone (CPU s) | ratio bound by it |",
    )
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|')
    const seconds = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(1))
    for (const r of rebuild.results)
      console.log(
        `| ${r.projection} | ${fmt(r.documents)} | ${fmt(r.parts)} | ${fmt(r.rows)} | ${r.baselineSeconds.toFixed(1)} | ${r.rebuildSeconds.toFixed(1)} | ${fmt(r.baselineEventsPerSecond)} | ${fmt(r.rebuildEventsPerSecond)} | ${r.ratio.toFixed(2)} | ${r.ratios.map((x) => x.toFixed(2)).join(', ')} | ${seconds(r.rebuildProcessCpuSeconds)}, ${seconds(r.rebuildMachineCpuSeconds)} | ${r.cpuBoundRatio?.toFixed(2) ?? '–'} | ${r.clientCpuSeconds.toFixed(1)} | ${r.clientBoundRatio.toFixed(2)} |`,
      )
    save('projections', { rebuild, lag })
  },
  api: async () => {
    console.log(
      `# REST API under autocannon (${machine}); ${rounds} alternating rounds of ${ms / 1000} s, medians`,
    )
    const { commands, reads } = await benchApi(serverUrl, { rounds, ms })
    console.log(
      '| POST /v1/visits | raw SQL appends/s | append function/s | service | commands/s | ratio | p50 ms | p99 ms | non-2xx |',
    )
    console.log('|---|---:|---:|---|---:|---:|---:|---:|---:|')
    for (const r of commands) {
      const raw = `| ${r.connections} connections | ${fmt(r.baselineAppendsPerSecond)} | ${fmt(r.functionAppendsPerSecond)}`
      console.log(
        `${raw} | with its projections | ${fmt(r.requestsPerSecond)} | ${r.ratio.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} |`,
      )
      const a = r.apiAlone
      console.log(
        `${raw} | PROJECTIONS=off | ${fmt(a.requestsPerSecond)} | ${a.ratio.toFixed(2)} | ${a.p50Ms} | ${a.p99Ms} | ${a.non2xx} |`,
      )
    }
    console.log(
      '| GET | bare Fastify req/s (p50/p99 ms) | bare + the read query req/s | Entente req/s | ratio | p50 ms | p99 ms | non-2xx |',
    )
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
    for (const r of reads)
      console.log(
        `| ${r.route}, ${r.connections} connections | ${fmt(r.baseline.requestsPerSecond)} (${r.baseline.p50Ms}/${r.baseline.p99Ms}) | ${'bareWithQuery' in r && r.bareWithQuery ? fmt(r.bareWithQuery.requestsPerSecond) : '–'} | ${fmt(r.requestsPerSecond)} | ${r.ratio.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} |`,
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
  load: async () => {
    const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter((b) => b.trim() !== '')
    if (brokers.length === 0) {
      if (wanted.includes('load')) throw new Error('the load benchmark needs KAFKA_BROKERS')
      console.log('# Load: skipped, KAFKA_BROKERS is not set')
      return
    }
    // BENCH_LOAD_SHORT=1: a quick run while developing (small steps, a 30 s soak).
    const short = process.env.BENCH_LOAD_SHORT === '1'
    const env = (name: string, full: number, quick: number) =>
      Number(process.env[name] ?? (short ? quick : full))
    const options = {
      events: env('BENCH_LOAD_EVENTS', 30_000, 10_000),
      startRate: env('BENCH_LOAD_START_RATE', 10, 10),
      maxRate: env('BENCH_LOAD_MAX_RATE', 5_000, 5_000),
      stepSeconds: env('BENCH_LOAD_STEP_SECONDS', 20, 5),
      soakSeconds: env('BENCH_SOAK_SECONDS', 300, 30),
      sampleSeconds: env('BENCH_SOAK_SAMPLE_SECONDS', 5, 2),
    }
    console.log(
      `# Load (${machine}): open-loop mix (70% reads, 25% commands, 5% audit) on ${fmt(options.events)} seeded events, steps of ${options.stepSeconds} s`,
    )
    const r = await benchLoad(serverUrl, brokers, options)
    const ms = (x: number) => x.toFixed(1)
    console.log(
      `(seeded ${fmt(r.dataset.events)} events on ${fmt(r.dataset.streams)} streams: ${fmt(r.dataset.visits)} visits, ${fmt(r.dataset.calls)} calls, ${fmt(r.dataset.meetings)} meetings; read models and relay caught up ${r.dataset.catchUpSeconds.toFixed(0)} s after start)\n`,
    )
    console.log(
      '| target (req/s) | achieved (req/s) | p50 ms | p99 ms | reads p99 | commands p99 | audit p99 | non-2xx | errors | client lag ms | held |',
    )
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|')
    for (const s of r.steps)
      console.log(
        `| ${fmt(s.targetRate)} | ${fmt(s.achievedRate)} | ${ms(s.p50Ms)} | ${ms(s.p99Ms)} | ${ms(s.byKind.read?.p99Ms ?? Number.NaN)} | ${ms(s.byKind.command?.p99Ms ?? Number.NaN)} | ${ms(s.byKind.audit?.p99Ms ?? Number.NaN)} | ${s.non2xx} | ${s.errors} | ${ms(s.maxSendDelayMs)} | ${s.sustained ? 'yes' : 'no'} |`,
      )
    // Blank lines end the tables, so that the output pastes into README as it is.
    console.log(
      `\nHighest sustained rate (p99 ≤ ${r.p99LimitMs} ms, no failed request, ≥ 95% of the target achieved): ${r.highest > 0 ? `${fmt(r.highest)} requests/s` : 'none'}`,
    )
    const k = r.soak
    const bounded = (b: boolean) => (b ? 'bounded' : '**growing**')
    console.log(
      `\n# Soak at ${fmt(r.soakRate)} requests/s for ${k.seconds} s (samples every ${k.sampleSeconds} s)${r.highest > 0 ? '' : ': no step held, half the first step'}\n`,
    )
    console.log('| measure | value |')
    console.log('|---|---:|')
    console.log(`| requests (achieved req/s) | ${fmt(k.requests)} (${fmt(k.achievedRate)}) |`)
    console.log(
      `| latency p50 / p99 / max (ms) | ${ms(k.p50Ms)} / ${ms(k.p99Ms)} / ${ms(k.maxMs)} |`,
    )
    console.log(`| non-2xx / errors | ${k.non2xx} / ${k.errors} |`)
    console.log(`| client lag, max (ms) | ${ms(k.maxSendDelayMs)} |`)
    console.log(
      `| resident memory: before / peak sampled / process peak, VmHWM (MiB) | ${k.rss.beforeMiB.toFixed(0)} / ${k.rss.peakMiB.toFixed(0)} / ${k.rss.lifetimePeakMiB.toFixed(0)} |`,
    )
    console.log(
      `| resident memory: max of middle third / last third (MiB) | ${k.rss.middleMax.toFixed(0)} / ${k.rss.lastMax.toFixed(0)} (${bounded(k.rss.bounded)}) |`,
    )
    for (const [label, lag] of [
      ['projection lag (s)', k.projectionLagSeconds],
      ['projection lag (events)', k.projectionLagEvents],
      ['relay lag (s)', k.relayLagSeconds],
      ['relay lag (events)', k.relayLagEvents],
    ] as const)
      console.log(
        `| ${label}: max / p99 / last third max | ${ms(lag.max)} / ${ms(lag.p99)} / ${ms(lag.lastMax)} (${bounded(lag.bounded)}) |`,
      )
    console.log('\n| soak, by route | requests | p50 ms | p99 ms | max ms | non-2xx |')
    console.log('|---|---:|---:|---:|---:|---:|')
    for (const [route, l] of Object.entries(k.byRoute).sort((a, b) => b[1].p99Ms - a[1].p99Ms))
      console.log(
        `| ${route} | ${fmt(l.requests)} | ${ms(l.p50Ms)} | ${ms(l.p99Ms)} | ${ms(l.maxMs)} | ${l.non2xx} |`,
      )
    save('load', r)
  },
}

const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !(name in BENCHES))
if (unknown.length > 0) {
  console.error(`no benchmark ${unknown.join(', ')}; there are ${Object.keys(BENCHES).join(', ')}`)
  process.exit(2)
}
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) await BENCHES[name]!()
