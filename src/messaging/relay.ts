import { type Kafka, Partitioners, type Producer } from 'kafkajs'
import type { KafkaConfig } from '../app/config.js'
import {
  type AllSlice,
  AppendWaiter,
  type Checkpoint,
  type EventLogConnection,
  type Lease,
  lagBehind,
  type RecordedEvent,
  readAll,
} from '../eventstore/index.js'
import {
  advanceRelayCheckpoint,
  loadRelayCheckpoint,
  RelayCheckpointMovedError,
  relayTables,
} from './checkpoint.js'
import { type EventMessage, toMessage } from './cloud-events.js'
import { createKafka, type MessagingLogger, silentLogger } from './kafka-client.js'
import { ensureTopics } from './topics.js'

/** What /metrics and /health/ready read about the relay. */
export interface RelayStatus {
  /**
   * `active`: holds the lease and publishes; `standby`: another instance does; `backing-off`:
   * the broker (or the database) failed, retrying after a pause; `stopped`: stop() was called;
   * `disabled`: no Kafka configured.
   */
  state: 'active' | 'standby' | 'backing-off' | 'stopped' | 'disabled'
  /** Events in the log not yet acknowledged by the broker. */
  lagPositions: number
  /** Age of the oldest of them, in seconds; 0 when caught up. */
  lagSeconds: number
  /** Events this process published (a batch republished after a failure counts again). */
  published: number
  /** Failures this process met (broker or database), each followed by a backoff. */
  errors: number
  lastError?: string
}

/** The status to report when KAFKA_BROKERS is unset. */
export const RELAY_DISABLED: RelayStatus = Object.freeze({
  state: 'disabled',
  lagPositions: 0,
  lagSeconds: 0,
  published: 0,
  errors: 0,
})

export interface RelayOptions {
  log: EventLogConnection
  kafka: KafkaConfig
  /** Names the checkpoint and the lease: relays of different names publish independently. */
  name?: string
  clientId?: string
  /** Events read from the log at a time (default 500). */
  batchSize?: number
  /** A send carries at most about this many bytes of messages (default 512 KiB). */
  maxBatchBytes?: number
  /** Poll for new events this often when no notification comes (default 1000 ms). */
  pollIntervalMs?: number
  /** A standby tries to take the lease this often (default 2000 ms). */
  standbyIntervalMs?: number
  /** First pause after a failure, doubled up to `maxBackoffMs` (defaults 250 ms and 10 s). */
  initialBackoffMs?: number
  maxBackoffMs?: number
  logger?: MessagingLogger
  /**
   * Called when the broker acknowledged a batch, before the checkpoint moves. For tests that
   * kill the relay right there.
   */
  onPublished?: (events: readonly RecordedEvent[]) => void | Promise<void>
}

type Settings = Required<Omit<RelayOptions, 'onPublished'>> & Pick<RelayOptions, 'onPublished'>

const LAG_REFRESH_MS = 1_000

/**
 * Publishes the event log to Kafka. One relay per name is active across processes (a lease on
 * the store); the others stand by and take over when it goes. The active one reads the log
 * gap-safely from its checkpoint, sends each batch with an idempotent producer (every in-sync
 * replica acknowledges; one request in flight, so a partition keeps its order), and moves the
 * checkpoint only after the broker acknowledged: at least once, never lost, a crash between
 * the two republishes the batch (consumers dedupe by `ce_id`). When the broker is away it backs
 * off and resumes from the checkpoint; appends never wait for it.
 *
 * @example
 * const relay = new KafkaRelay({ log, kafka: config.kafka, logger }).start()
 * relay.status() // { state: 'active', lagPositions: 0, … }
 * await relay.stop()
 */
export class KafkaRelay {
  readonly #o: Settings
  readonly #kafka: Kafka
  #alarm: AppendWaiter | undefined
  #lease: Lease | undefined
  #producer: Producer | undefined
  #checkpoint: Checkpoint | undefined
  #state: RelayStatus['state'] = 'standby'
  #stopped = false
  #stopSignal: () => void = () => {}
  readonly #stopping = new Promise<void>((resolve) => {
    this.#stopSignal = resolve
  })
  #running: Promise<void> | undefined
  #published = 0
  #errors = 0
  #lastError: string | undefined
  #lag = { events: 0, seconds: 0 }
  #lagAt = 0

  constructor(options: RelayOptions) {
    this.#o = {
      name: 'kafka',
      clientId: 'entente-relay',
      batchSize: 500,
      maxBatchBytes: 512 * 1024,
      pollIntervalMs: 1_000,
      standbyIntervalMs: 2_000,
      initialBackoffMs: 250,
      maxBackoffMs: 10_000,
      logger: silentLogger,
      ...options,
    }
    this.#kafka = createKafka({
      brokers: options.kafka.brokers,
      clientId: this.#o.clientId,
      logger: this.#o.logger,
    })
  }

  /** The relay's state, lag and counters; cheap (the lag is refreshed by the loop). */
  status(): RelayStatus {
    return {
      state: this.#stopped ? 'stopped' : this.#state,
      lagPositions: this.#lag.events,
      lagSeconds: this.#lag.seconds,
      published: this.#published,
      errors: this.#errors,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    }
  }

  start(): this {
    this.#alarm = new AppendWaiter(this.#o.log.notifications)
    this.#running = this.#loop()
    return this
  }

  /** Stops after the send in hand (its checkpoint written), then releases the lease. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#stopSignal()
    this.#alarm?.close()
    await this.#running
    await this.#disconnect()
    await this.#releaseLease()
  }

  async #loop(): Promise<void> {
    let backoffMs = this.#o.initialBackoffMs
    let failing = false
    while (!this.#stopped) {
      try {
        if (!(await this.#holdLease())) {
          this.#state = 'standby'
          await this.#refreshLag(true)
          await this.#pause(this.#o.standbyIntervalMs)
          continue
        }
        await this.#connect()
        if (!failing) this.#state = 'active'
        const { caughtUp, heldBack } = await this.#publishNext()
        if (failing)
          this.#o.logger.info({ relay: this.#o.name }, 'relay publishes again after an outage')
        failing = false
        backoffMs = this.#o.initialBackoffMs
        this.#state = 'active'
        await this.#refreshLag(false)
        if (caughtUp && !this.#stopped) await this.#alarm!.idle(this.#o.pollIntervalMs, heldBack)
      } catch (error) {
        if (this.#stopped) break
        this.#errors++
        this.#lastError = (error as Error).message
        if (error instanceof RelayCheckpointMovedError) {
          this.#o.logger.warn({ relay: this.#o.name }, error.message)
          await this.#disconnect()
          await this.#releaseLease()
          continue
        }
        if (!failing)
          this.#o.logger.warn(
            { relay: this.#o.name, err: error },
            'relay cannot publish; backing off and retrying from its checkpoint',
          )
        failing = true
        this.#state = 'backing-off'
        // What waits for the broker, if the database answers.
        if (this.#checkpoint) await this.#refreshLag(false).catch(() => {})
        // A fresh producer after a failure: a send that may or may not have landed is sent
        // again from the checkpoint (duplicates, deduped by ce_id), never skipped.
        await this.#disconnect()
        await this.#pause(backoffMs)
        backoffMs = Math.min(backoffMs * 2, this.#o.maxBackoffMs)
      }
    }
  }

  /** True while this relay holds the lease; tries to take it when it does not. */
  async #holdLease(): Promise<boolean> {
    if (this.#lease && !this.#lease.lost) return true
    if (this.#lease) {
      this.#o.logger.warn({ relay: this.#o.name }, 'relay lost its lease; standing by')
      await this.#disconnect()
      await this.#releaseLease()
    }
    this.#lease = await this.#o.log.tryLock(`relay:${this.#o.name}`)
    if (!this.#lease) return false
    try {
      this.#checkpoint = (await loadRelayCheckpoint(this.#o.log.db, this.#o.name)).checkpoint
    } catch (error) {
      // Holding the lease without a checkpoint would publish from nowhere: give it back and
      // take both again on the next turn.
      await this.#releaseLease()
      throw error
    }
    this.#o.logger.info(
      { relay: this.#o.name, checkpoint: this.#checkpoint },
      'relay is active: publishing the event log to Kafka',
    )
    return true
  }

  async #releaseLease(): Promise<void> {
    const lease = this.#lease
    this.#lease = undefined
    this.#checkpoint = undefined
    await lease?.release().catch(() => {})
  }

  /** Connects the producer and creates missing topics, once per connection. */
  async #connect(): Promise<void> {
    if (this.#producer) return
    const admin = this.#kafka.admin()
    await admin.connect()
    try {
      const created = await ensureTopics(admin, this.#o.kafka)
      if (created.length > 0) this.#o.logger.info({ topics: created }, 'created Kafka topics')
    } finally {
      await admin.disconnect().catch(() => {})
    }
    // Retries are bounded so that a send fails while the broker is away (the loop backs off
    // and reports it) instead of retrying forever; kafkajs warns that this weakens its
    // exactly-once, which the relay does not rely on: it promises at least once.
    const producer = this.#kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    })
    await producer.connect()
    this.#producer = producer
  }

  async #disconnect(): Promise<void> {
    const producer = this.#producer
    this.#producer = undefined
    await producer?.disconnect().catch(() => {})
  }

  /** Publishes the next batch after the checkpoint; tells whether the log had no more. */
  async #publishNext(): Promise<Pick<AllSlice, 'caughtUp' | 'heldBack'>> {
    const { log, name } = this.#o
    this.#alarm!.clear()
    const slice = await readAll(log.db, {
      after: this.#checkpoint!,
      limit: this.#o.batchSize,
      checkHeldBack: true,
    })
    for (const chunk of chunksOf(slice.events, this.#o.kafka.topicPrefix, this.#o.maxBatchBytes)) {
      await this.#producer!.sendBatch({ topicMessages: byTopic(chunk.messages), acks: -1 })
      await this.#o.onPublished?.(chunk.events)
      const last = chunk.events[chunk.events.length - 1]!
      const to = { transactionId: last.transactionId, globalPosition: last.globalPosition }
      await advanceRelayCheckpoint(log.db, name, this.#checkpoint!, to, {
        count: chunk.events.length,
        lastRecordedAt: last.recordedAt,
      })
      this.#checkpoint = to
      this.#published += chunk.events.length
      if (this.#stopped) return { caughtUp: true, heldBack: false }
    }
    return slice
  }

  /** Refreshes the lag at most once a second; a standby reads the active relay's checkpoint. */
  async #refreshLag(standby: boolean): Promise<void> {
    if (Date.now() - this.#lagAt < LAG_REFRESH_MS) return
    const db = this.#o.log.db
    const checkpoint = standby
      ? await relayTables(db)
          .selectFrom('relay_checkpoints')
          .select(['checkpoint_transaction_id', 'checkpoint_position'])
          .where('name', '=', this.#o.name)
          .executeTakeFirst()
          .then((row) => ({
            transactionId: String(row?.checkpoint_transaction_id ?? '0'),
            globalPosition: Number(row?.checkpoint_position ?? 0),
          }))
      : this.#checkpoint!
    this.#lag = await lagBehind(db, checkpoint)
    this.#lagAt = Date.now()
  }

  /** Waits `ms`, or less when stop() is called. */
  async #pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms)
      }),
      this.#stopping,
    ])
    clearTimeout(timer)
  }
}

/** Cuts a slice of the log into sends of at most about `maxBytes` (one event at least). */
function* chunksOf(
  events: readonly RecordedEvent[],
  topicPrefix: string,
  maxBytes: number,
): Generator<{ events: RecordedEvent[]; messages: EventMessage[] }> {
  let chunk: { events: RecordedEvent[]; messages: EventMessage[] } = { events: [], messages: [] }
  let bytes = 0
  for (const event of events) {
    const message = toMessage(event, topicPrefix)
    const size = sizeOf(message)
    if (chunk.events.length > 0 && bytes + size > maxBytes) {
      yield chunk
      chunk = { events: [], messages: [] }
      bytes = 0
    }
    chunk.events.push(event)
    chunk.messages.push(message)
    bytes += size
  }
  if (chunk.events.length > 0) yield chunk
}

function sizeOf(message: EventMessage): number {
  let size = Buffer.byteLength(message.value) + Buffer.byteLength(message.key) + 64
  for (const [name, value] of Object.entries(message.headers))
    size += name.length + Buffer.byteLength(value)
  return size
}

/** kafkajs' sendBatch shape; within a topic the messages keep log order. */
function byTopic(messages: readonly EventMessage[]) {
  const topics = new Map<string, Omit<EventMessage, 'topic'>[]>()
  for (const { topic, ...message } of messages) {
    const list = topics.get(topic) ?? []
    list.push(message)
    topics.set(topic, list)
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }))
}
