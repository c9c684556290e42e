import type { KafkaConfig } from '../app/config.js'
import type { DomainEventType } from '../domain/event-schemas.js'
import { EVENT_DATA_SCHEMAS } from '../schemas/events.js'
import { HEADERS } from './cloud-events.js'
import { type AggregateType, topicName } from './topics.js'

/** The facts each aggregate type's topic carries; corrections can be on any of them. */
export const EVENT_TYPES_BY_AGGREGATE: Readonly<Record<AggregateType, readonly DomainEventType[]>> =
  {
    visit: [
      'VisitScheduled',
      'VisitRescheduled',
      'VisitCancelled',
      'VisitCompleted',
      'ItineraryEngagementAdded',
      'ItineraryEngagementChanged',
      'ItineraryEngagementRemoved',
      'DelegationMemberAdded',
      'DelegationMemberRemoved',
    ],
    call: ['CallRecorded'],
    meeting: [
      'MeetingAnnounced',
      'MeetingConfirmed',
      'MeetingRescheduled',
      'MeetingHeld',
      'MeetingCancelled',
      'MeetingOutcomeRecorded',
    ],
    statement: ['StatementPublished'],
    relationship: [
      'FrictionRecorded',
      'FrictionResolved',
      'CooperationRecorded',
      'RelationshipAssessed',
    ],
  }
const CORRECTIONS: readonly DomainEventType[] = ['FactCorrected', 'FactRetracted']

const KAFKA_BINDING = '0.5.0'

const digits = (description: string) => ({ type: 'string', pattern: '^[0-9]+$', description })

/** The CloudEvents binary-mode headers every message carries (see cloud-events.ts). */
const CLOUD_EVENT_HEADERS = {
  type: 'object',
  description: 'CloudEvents 1.0 attributes in Kafka binary content mode, and Entente extensions',
  required: [
    HEADERS.specVersion,
    HEADERS.id,
    HEADERS.type,
    HEADERS.source,
    HEADERS.time,
    HEADERS.subject,
    HEADERS.dataSchema,
    HEADERS.contentType,
    HEADERS.streamVersion,
    HEADERS.globalPosition,
    HEADERS.schemaVersion,
  ],
  properties: {
    [HEADERS.specVersion]: { type: 'string', const: '1.0' },
    [HEADERS.id]: {
      type: 'string',
      description: 'The event id: the same on a redelivery, so dedupe by it',
    },
    [HEADERS.type]: {
      type: 'string',
      pattern: '^entente\\.[A-Za-z]+$',
      description: '`entente.` and the event type, e.g. entente.VisitScheduled',
    },
    [HEADERS.source]: {
      type: 'string',
      description: 'urn:entente:<aggregate type>, e.g. urn:entente:visit',
    },
    [HEADERS.time]: { type: 'string', description: 'When the event was recorded (RFC 3339)' },
    [HEADERS.subject]: {
      type: 'string',
      description: 'The stream id, e.g. visit-<id> (also the message key)',
    },
    [HEADERS.dataSchema]: {
      type: 'string',
      description: 'urn:entente:schema:EventData.<type>.v<version>: the schema of the value',
    },
    [HEADERS.contentType]: { type: 'string', const: 'application/json' },
    [HEADERS.streamVersion]: digits("The event's version in its stream (1, 2, …)"),
    [HEADERS.globalPosition]: digits("The event's position in the whole log"),
    [HEADERS.schemaVersion]: digits('The version of the data schema'),
    [HEADERS.correlationId]: {
      type: 'string',
      description: 'The correlation (or request) id of the command that recorded it',
    },
  },
}

export interface AsyncApiOptions {
  /** The service version, shown as the document's version. */
  version: string
  kafka?: Pick<KafkaConfig, 'brokers' | 'topicPrefix' | 'partitions' | 'retentionMs'>
}

/**
 * The AsyncAPI 3.0 document of the event stream on Kafka: one channel per aggregate type's
 * topic, one message per event type whose payload is the event data's JSON Schema (the same
 * `EVENT_DATA_SCHEMAS` the OpenAPI document uses), CloudEvents headers, and the stream id as key.
 */
export function buildAsyncApiDocument(options: AsyncApiOptions): Record<string, unknown> {
  const prefix = options.kafka?.topicPrefix ?? 'entente'
  const schemas: Record<string, unknown> = { CloudEventHeaders: CLOUD_EVENT_HEADERS }
  const messages: Record<string, unknown> = {}
  for (const [type, schema] of Object.entries(EVENT_DATA_SCHEMAS)) {
    schemas[schema.$id] = schema
    messages[type] = {
      name: type,
      title: type,
      summary: `${type} (data schema v${schema.$id.split('.v')[1]})`,
      contentType: 'application/json',
      headers: { $ref: '#/components/schemas/CloudEventHeaders' },
      payload: { $ref: `#/components/schemas/${schema.$id}` },
      correlationId: { location: `$message.header#/${HEADERS.correlationId}` },
      bindings: {
        kafka: {
          key: { type: 'string', description: 'The stream id: a stream keeps its order' },
          bindingVersion: KAFKA_BINDING,
        },
      },
    }
  }
  const channels: Record<string, unknown> = {}
  const operations: Record<string, unknown> = {}
  for (const [aggregate, facts] of Object.entries(EVENT_TYPES_BY_AGGREGATE)) {
    const types = [...facts, ...CORRECTIONS]
    const topic = topicName(prefix, aggregate)
    channels[aggregate] = {
      address: topic,
      title: `${aggregate} events`,
      description: `Every event of the ${aggregate}-… streams, keyed by stream id, in stream order per key.`,
      messages: Object.fromEntries(
        types.map((type) => [type, { $ref: `#/components/messages/${type}` }]),
      ),
      bindings: {
        kafka: {
          topic,
          ...(options.kafka
            ? {
                partitions: options.kafka.partitions,
                topicConfiguration: { 'retention.ms': options.kafka.retentionMs },
              }
            : {}),
          bindingVersion: KAFKA_BINDING,
        },
      },
    }
    operations[`receive-${aggregate}-events`] = {
      action: 'receive',
      title: `Receive ${aggregate} events`,
      summary: 'At least once: dedupe by the ce_id header.',
      channel: { $ref: `#/channels/${aggregate}` },
      messages: types.map((type) => ({ $ref: `#/channels/${aggregate}/messages/${type}` })),
    }
  }
  const servers = Object.fromEntries(
    (options.kafka?.brokers ?? []).map((host, i) => [
      `broker-${i + 1}`,
      { host, protocol: 'kafka', description: 'A Kafka bootstrap broker' },
    ]),
  )
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Entente event stream',
      version: options.version,
      description:
        "Entente's event log published to Kafka by the relay: one topic per aggregate type, " +
        'key = stream id, value = the event data as JSON, CloudEvents 1.0 binary-mode headers. ' +
        'Delivery is at least once: consumers dedupe by ce_id.',
    },
    ...(Object.keys(servers).length > 0 ? { servers } : {}),
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas, messages },
  }
}
