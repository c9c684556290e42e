import type { Consumer, Kafka } from 'kafkajs'
import { type DeliveredEvent, fromMessage, NotAnEventError } from './cloud-events.js'
import { createKafka, type MessagingLogger, silentLogger } from './kafka-client.js'
import { allTopics, topicName } from './topics.js'

/**
 * Remembers which event ids were handled. The relay publishes at least once, so an event can
 * arrive again (after a relay crash, or a consumer rebalance): skip ids seen before. A
 * subscriber that must never apply an event twice across its own restarts keeps the ids (or
 * each stream's last version) with its effects, in its own store, and passes that here.
 */
export interface SeenEvents {
  /** True when the event `id` was handled before. */
  has(id: string): boolean | Promise<boolean>
  /** Records that `id` was handled (called after `onEvent` returned). */
  add(id: string): void | Promise<void>
}

/** The ids of the most recent `capacity` events, in memory. */
export class RecentEventIds implements SeenEvents {
  readonly #ids = new Set<string>()
  constructor(readonly capacity = 100_000) {}

  has(id: string): boolean {
    return this.#ids.has(id)
  }

  add(id: string): void {
    this.#ids.add(id)
    // A Set iterates in insertion order: the first one is the oldest.
    if (this.#ids.size > this.capacity) this.#ids.delete(this.#ids.values().next().value!)
  }
}

export interface EventConsumerOptions {
  brokers: string[]
  /** The relay's KAFKA_TOPIC_PREFIX (default `entente`). */
  topicPrefix?: string
  /** The consumer group: subscribers of one system share one, and resume from its offsets. */
  groupId: string
  clientId?: string
  /** Where a group without committed offsets starts: every retained event, or only new ones. */
  fromBeginning?: boolean
  /** Only these event types (e.g. `VisitScheduled`); all when absent or empty. */
  types?: readonly string[]
  /** Only these aggregate types' topics (e.g. `visit`); all when absent. */
  aggregates?: readonly string[]
  /** Called once per event id, in stream order for each stream. Offsets commit after it returns. */
  onEvent(event: DeliveredEvent): void | Promise<void>
  /** Default: the ids of the last 100,000 events, in memory. */
  seen?: SeenEvents
  /** A message that is not an Entente event: skipped, and told here. */
  onSkipped?(reason: string, where: { topic: string; partition: number; offset: string }): void
  logger?: MessagingLogger
}

export interface EventConsumer {
  /** Leaves the group (committing what was handled) and disconnects. */
  stop(): Promise<void>
}

/**
 * Waits until the relay has created the topics (it does at its first start): a consumer that
 * subscribed to a missing topic would not see it appear.
 */
async function waitForTopics(kafka: Kafka, topics: string[], logger: MessagingLogger) {
  const admin = kafka.admin()
  await admin.connect()
  try {
    for (let attempt = 0; ; attempt++) {
      const existing = new Set(await admin.listTopics())
      const missing = topics.filter((topic) => !existing.has(topic))
      if (missing.length === 0) return
      if (attempt % 20 === 0) logger.info({ missing }, 'waiting for the relay to create the topics')
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

/**
 * Follows Entente's event stream in a consumer group: reads every topic of the prefix (or the
 * given aggregates), turns each message back into an event, drops redeliveries by `ce_id`,
 * filters by type, and hands the rest to `onEvent` one at a time, per partition in order.
 *
 * @example
 * const consumer = await consumeEvents({
 *   brokers: ['127.0.0.1:9092'], groupId: 'calendar-sync', fromBeginning: true,
 *   types: ['VisitScheduled'], onEvent: (e) => console.log(e.streamId, e.streamVersion, e.data),
 * })
 */
export async function consumeEvents(options: EventConsumerOptions): Promise<EventConsumer> {
  const prefix = options.topicPrefix ?? 'entente'
  const seen = options.seen ?? new RecentEventIds()
  const types = new Set(options.types ?? [])
  const kafka = createKafka({
    brokers: options.brokers,
    clientId: options.clientId ?? 'entente-consumer',
    logger: options.logger ?? silentLogger,
  })
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  })
  const topics = options.aggregates
    ? options.aggregates.map((a) => topicName(prefix, a))
    : allTopics(prefix)
  await waitForTopics(kafka, topics, options.logger ?? silentLogger)
  await consumer.connect()
  try {
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? false })
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        let event: DeliveredEvent
        try {
          event = fromMessage(topic, partition, message)
        } catch (error) {
          if (!(error instanceof NotAnEventError)) throw error
          options.onSkipped?.(error.message, { topic, partition, offset: message.offset })
          return
        }
        if (types.size > 0 && !types.has(event.type)) return
        if (await seen.has(event.id)) return
        // Recorded only once handled: an event whose handler failed comes again, and counts.
        await options.onEvent(event)
        await seen.add(event.id)
      },
    })
  } catch (error) {
    await consumer.disconnect().catch(() => {})
    throw error
  }
  return { stop: () => consumer.disconnect() }
}
