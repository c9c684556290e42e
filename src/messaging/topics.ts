import type { Admin, ITopicConfig } from 'kafkajs'
import type { KafkaConfig } from '../app/config.js'

/** The aggregate types whose streams get a topic each. */
export const AGGREGATE_TYPES = ['visit', 'call', 'meeting', 'statement', 'relationship'] as const
export type AggregateType = (typeof AGGREGATE_TYPES)[number]

/** Streams that belong to no aggregate type (none today) go to this topic, never nowhere. */
export const OTHER_TOPIC = 'other'

/** Bumped only with a breaking change of the message envelope (key, headers). */
export const TOPIC_VERSION = 1

export type TopicSettings = Pick<
  KafkaConfig,
  'topicPrefix' | 'partitions' | 'replicationFactor' | 'retentionMs'
>

/**
 * Room for one event at the append limit (1 MiB of data) with its headers. The relay cuts its
 * batches well below this (see `MAX_BATCH_BYTES` in relay.ts).
 */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024

/** The aggregate type a stream belongs to: `visit-…` → `visit`; other streams → `other`. */
export function aggregateTypeOf(streamId: string): AggregateType | typeof OTHER_TOPIC {
  const prefix = streamId.slice(0, streamId.indexOf('-'))
  return (AGGREGATE_TYPES as readonly string[]).includes(prefix)
    ? (prefix as AggregateType)
    : OTHER_TOPIC
}

/** The topic of an aggregate type, e.g. `entente.visit.v1`. */
export function topicName(prefix: string, aggregateType: string): string {
  return `${prefix}.${aggregateType}.v${TOPIC_VERSION}`
}

/** The topic a stream's events are published to. */
export function topicOf(prefix: string, streamId: string): string {
  return topicName(prefix, aggregateTypeOf(streamId))
}

/** Every topic the relay publishes to. */
export function allTopics(prefix: string): string[] {
  return [...AGGREGATE_TYPES, OTHER_TOPIC].map((type) => topicName(prefix, type))
}

/**
 * Creates the relay's topics that do not exist yet, with the configured partitions,
 * replication and retention. Existing topics are left as they are (changing partitions would
 * move keys between partitions and break per-stream order). Returns the topics created.
 */
export async function ensureTopics(admin: Admin, settings: TopicSettings): Promise<string[]> {
  const existing = new Set(await admin.listTopics())
  const missing = allTopics(settings.topicPrefix).filter((topic) => !existing.has(topic))
  if (missing.length === 0) return []
  const configEntries = [
    { name: 'retention.ms', value: String(settings.retentionMs) },
    { name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) },
    { name: 'cleanup.policy', value: 'delete' },
  ]
  const topics: ITopicConfig[] = missing.map((topic) => ({
    topic,
    numPartitions: settings.partitions,
    // -1: the broker's default.replication.factor
    replicationFactor: settings.replicationFactor ?? -1,
    configEntries,
  }))
  await admin.createTopics({ topics, waitForLeaders: true })
  return missing
}
