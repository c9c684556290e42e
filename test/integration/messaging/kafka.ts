// Helpers of the messaging suites: the real broker, a topic prefix per test, a consumer that
// collects what arrives, and a way to wait for a count.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Test } from 'tap'
import type { KafkaConfig } from '../../../src/app/config.js'
import type { EventLogConnection, NewEvent, RecordedEvent } from '../../../src/eventstore/index.js'
import { EVENT_COLUMNS, toRecordedEvent } from '../../../src/eventstore/recorded-event.js'
import {
  allTopics,
  consumeEvents,
  createKafka,
  type DeliveredEvent,
  KafkaRelay,
  type RelayOptions,
  type SeenEvents,
} from '../../../src/messaging/index.js'

export const brokers = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter((b) => b !== '')

export const missingBroker =
  'KAFKA_BROKERS is not set: run `npm test` (it starts infra/kafka/broker.sh when java and mvn ' +
  'are installed) or export KAFKA_BROKERS=host:port of a running broker'

/**
 * Test options that skip a suite without a broker; under CI=true a missing broker fails the
 * file instead (call once at the top of each suite).
 */
export function brokerRequired(t: Test): { skip: string | false } {
  if (brokers.length === 0 && process.env.CI === 'true')
    t.fail(`${missingBroker}. CI must run the Kafka suites against a real broker.`)
  return { skip: brokers.length === 0 ? missingBroker : false }
}

/** Kafka settings with a topic prefix of this test's own, whose topics are deleted after it. */
export function kafkaFor(t: Test, brokerList = brokers): KafkaConfig {
  const topicPrefix = `test-${randomUUID().slice(0, 8)}`
  t.teardown(async () => {
    const admin = createKafka({ brokers: brokerList, clientId: 'entente-test-cleanup' }).admin()
    await admin.connect().catch(() => {})
    await admin.deleteTopics({ topics: allTopics(topicPrefix) }).catch(() => {})
    await admin.disconnect().catch(() => {})
  })
  return {
    brokers: brokerList,
    topicPrefix,
    partitions: 3,
    replicationFactor: 1,
    retentionMs: 3_600_000,
  }
}

/** A relay that stops at teardown, polling fast. */
export function startRelay(t: Test, options: RelayOptions): KafkaRelay {
  const relay = new KafkaRelay({
    pollIntervalMs: 200,
    standbyIntervalMs: 200,
    initialBackoffMs: 100,
    maxBackoffMs: 1_000,
    ...options,
  }).start()
  t.teardown(() => relay.stop())
  return relay
}

/** Everything a consumer group received, deduped by the helper, in arrival order. */
export interface Collector {
  events: DeliveredEvent[]
  /** Every message before dedupe: ids that came twice show up twice here. */
  raw: number
  stop(): Promise<void>
}

/** Follows the test's topics from the beginning in a group of its own. */
export async function collect(
  t: Test,
  kafka: KafkaConfig,
  options: { seen?: SeenEvents } = {},
): Promise<Collector> {
  const collector: Collector = { events: [], raw: 0, stop: async () => {} }
  const inner = options.seen
  const seen: SeenEvents = {
    has(id) {
      collector.raw++
      return inner ? inner.has(id) : collector.events.some((e) => e.id === id)
    },
    add(id) {
      return inner?.add(id)
    },
  }
  const consumer = await consumeEvents({
    brokers: kafka.brokers,
    topicPrefix: kafka.topicPrefix,
    groupId: `test-group-${randomUUID().slice(0, 8)}`,
    fromBeginning: true,
    seen,
    onEvent: (event) => {
      collector.events.push(event)
    },
  })
  collector.stop = () => consumer.stop()
  t.teardown(() => consumer.stop())
  return collector
}

/** Resolves once `ready()` holds; fails with `describe()` after `timeoutMs`. */
export async function waitFor(
  ready: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A synthetic event for the relay (it does not look at the data). */
export const testEvent = (n: number): NewEvent => ({
  eventId: randomUUID(),
  type: 'VisitRescheduled',
  data: { n },
})

/** Appends `perStream` events to each of `streams` visit streams, writers interleaved. */
export async function appendMany(
  log: EventLogConnection,
  streams: number,
  perStream: number,
  tag = randomUUID().slice(0, 6),
): Promise<string[]> {
  const ids: string[] = []
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      for (let i = 0; i < perStream; i++) {
        const event = testEvent(i)
        await log.append(`visit-${tag}-${s}`, [event])
        ids.push(event.eventId)
      }
    }),
  )
  return ids
}

/** True when each stream's events came in version order 1, 2, 3, … without gaps. */
export function inStreamOrder(events: readonly DeliveredEvent[]): string[] {
  const next = new Map<string, number>()
  const problems: string[] = []
  for (const e of events) {
    const expected = (next.get(e.streamId) ?? 0) + 1
    if (e.streamVersion !== expected)
      problems.push(`${e.streamId}: v${e.streamVersion} after v${expected - 1}`)
    next.set(e.streamId, e.streamVersion)
  }
  return problems
}

/**
 * Every event in the log, committed or not yet visible to gap-safe readers (which also wait
 * for older transactions of other databases on the server): what must reach Kafka.
 */
export async function everyEvent(log: EventLogConnection): Promise<RecordedEvent[]> {
  const rows = await log.db
    .selectFrom('events')
    .select(EVENT_COLUMNS)
    .orderBy('global_position')
    .execute()
  return rows.map(toRecordedEvent)
}

const brokerScript = path.resolve(import.meta.dirname, '../../../infra/kafka/broker.sh')

function broker(command: string, runDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [brokerScript, command], {
      env: { ...process.env, KAFKA_RUN_DIR: runDir, KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
    })
    child.stderr.on('data', (chunk) => {
      err += chunk
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`broker.sh ${command}: exit ${code}\n${err}`)),
    )
  })
}

/**
 * A broker of this test's own (infra/kafka/broker.sh in a temporary run dir), so that killing
 * it disturbs no other suite running beside it. Deleted at teardown.
 */
export async function ownBroker(t: Test) {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'entente-kafka-outage-'))
  t.teardown(() => broker('clean', runDir).then(() => undefined))
  const started = await broker('start', runDir)
  const address = /^KAFKA_BROKERS=(.+)$/m.exec(started)?.[1]
  if (!address) throw new Error(`broker.sh start printed no address: ${started}`)
  return {
    brokers: [address],
    /** SIGKILL, as in a crash. */
    kill: () => broker('kill', runDir),
    /** Starts again on the same port with the same data. */
    restart: () => broker('restart', runDir),
  }
}
