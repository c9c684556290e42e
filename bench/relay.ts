import { randomUUID } from 'node:crypto'
import { Partitioners } from 'kafkajs'
import pg from 'pg'
import type { KafkaConfig } from '../src/app/config.js'
import {
  type Checkpoint,
  type EventLogConnection,
  migrateToLatest,
  openPostgres,
  readAll,
} from '../src/eventstore/index.js'
import {
  allTopics,
  consumeEvents,
  createKafka,
  ensureTopics,
  KafkaRelay,
  toMessage,
} from '../src/messaging/index.js'

/**
 * The relay against the real broker and Postgres, in one run:
 * - throughput: the relay publishing a log of N events from its start, beside a bare kafkajs
 *   producer (idempotent, acks all, one request in flight) sending the same messages in the
 *   same batches, in alternating rounds; medians.
 * - latency: from an append's commit to a consumer receiving it, at a steady 500 events/s.
 */
export interface RelayBenchResult {
  events: number
  baseline: number
  relay: number
  ratio: number
  latency: { rate: number; events: number; p50: number; p99: number; max: number }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!

async function freshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `entente_bench_relay_${randomUUID().slice(0, 8)}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const u = new URL(serverUrl)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

const eventData = (i: number) => ({
  visitId: `v${i % 200}`,
  visitor: { id: 'Q10853588', name: 'Kamala Harris', country: 'US' },
  destination: { city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
  period: {
    edtf: '2021-11',
    precision: 'month',
    earliest: '2021-11-01T00:00:00.000Z',
    latest: '2021-11-30T23:59:59.999Z',
  },
  sources: [{ publisher: 'The White House', title: 'Readout', publishedAt: '2021-10-22' }],
})

async function fill(log: EventLogConnection, events: number): Promise<void> {
  const perAppend = 100
  const writers = 4
  let next = 0
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < events) {
        const start = next
        next += perAppend
        await log.append(
          `visit-bench-${start % 200}`,
          Array.from({ length: perAppend }, (_, k) => ({
            eventId: randomUUID(),
            type: 'VisitRescheduled',
            data: eventData(start + k),
          })),
        )
      }
    }),
  )
}

async function deleteTopics(brokers: string[], prefixes: string[]) {
  const admin = createKafka({ brokers, clientId: 'bench-cleanup' }).admin()
  await admin.connect()
  await admin.deleteTopics({ topics: prefixes.flatMap(allTopics) }).catch(() => {})
  await admin.disconnect()
}

export async function benchRelay(
  serverUrl: string,
  brokers: string[],
  options: { rounds: number; events: number; latencySeconds: number },
): Promise<RelayBenchResult> {
  const db = await freshDatabase(serverUrl)
  const log = openPostgres({ connectionString: db.url, poolSize: 8 })
  const prefixes: string[] = []
  const settings = (): KafkaConfig => {
    const topicPrefix = `bench-${randomUUID().slice(0, 8)}`
    prefixes.push(topicPrefix)
    return { brokers, topicPrefix, partitions: 3, replicationFactor: 1, retentionMs: 3_600_000 }
  }
  try {
    await migrateToLatest(log.db)
    await fill(log, options.events)
    // The same messages for the baseline: read once, mapped as the relay maps them.
    const stored = []
    let after: { after?: Checkpoint } = {}
    for (;;) {
      const slice = await readAll(log.db, { ...after, limit: 500 })
      stored.push(slice.events)
      if (slice.caughtUp) break
      after = { after: slice.checkpoint }
    }
    const total = stored.reduce((n, b) => n + b.length, 0)
    const kafka = createKafka({ brokers, clientId: 'bench-baseline' })

    const baselines: number[] = []
    const relays: number[] = []
    for (let round = 0; round < options.rounds; round++) {
      // Baseline: a bare producer, same settings, same batches, topics made beforehand.
      const b = settings()
      const admin = kafka.admin()
      await admin.connect()
      await ensureTopics(admin, b)
      await admin.disconnect()
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      })
      await producer.connect()
      let started = performance.now()
      for (const batch of stored) {
        const byTopic = new Map<
          string,
          { key: string; value: string; headers: Record<string, string> }[]
        >()
        for (const e of batch) {
          const { topic, key, value, headers } = toMessage(e, b.topicPrefix)
          byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key, value, headers }])
        }
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        })
      }
      baselines.push(total / ((performance.now() - started) / 1000))
      await producer.disconnect()

      // The relay: from its checkpoint at the start of the log, topics made beforehand too.
      const r = settings()
      const relayAdmin = kafka.admin()
      await relayAdmin.connect()
      await ensureTopics(relayAdmin, r)
      await relayAdmin.disconnect()
      started = performance.now()
      const relay = new KafkaRelay({ log, kafka: r, name: `bench-${round}` }).start()
      while (relay.status().published < total) await new Promise((res) => setTimeout(res, 5))
      relays.push(total / ((performance.now() - started) / 1000))
      await relay.stop()
    }

    const latency = await measureLatency(log, settings(), options.latencySeconds)
    const baseline = median(baselines)
    const relay = median(relays)
    return { events: total, baseline, relay, ratio: relay / baseline, latency }
  } finally {
    await log.close()
    await db.drop()
    await deleteTopics(brokers, prefixes)
  }
}

/** Appends one event every 2 ms (500/s) and times each from commit to a consumer. */
async function measureLatency(log: EventLogConnection, kafka: KafkaConfig, seconds: number) {
  const rate = 500
  const relay = new KafkaRelay({ log, kafka, name: 'bench-latency' }).start()
  while (relay.status().state !== 'active') await new Promise((res) => setTimeout(res, 10))
  const committed = new Map<string, number>()
  const latencies: number[] = []
  const consumer = await consumeEvents({
    brokers: kafka.brokers,
    topicPrefix: kafka.topicPrefix,
    groupId: `bench-${randomUUID()}`,
    onEvent: (event) => {
      const at = committed.get(event.id)
      if (at !== undefined) latencies.push(performance.now() - at)
    },
  })
  // Let the consumer join its group before the clock starts.
  await new Promise((res) => setTimeout(res, 3_000))
  const count = rate * seconds
  const start = performance.now()
  const pending: Promise<void>[] = []
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await new Promise((res) => setTimeout(res, wait))
    const eventId = randomUUID()
    pending.push(
      log
        .append(`visit-latency-${i % 50}`, [
          { eventId, type: 'VisitRescheduled', data: eventData(i) },
        ])
        .then(() => {
          committed.set(eventId, performance.now())
        }),
    )
  }
  await Promise.all(pending)
  const deadline = performance.now() + 30_000
  while (latencies.length < count && performance.now() < deadline)
    await new Promise((res) => setTimeout(res, 50))
  await consumer.stop()
  await relay.stop()
  return {
    rate,
    events: latencies.length,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: Math.max(...latencies),
  }
}
