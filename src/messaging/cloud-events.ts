import type { IHeaders } from 'kafkajs'
import type { RecordedEvent } from '../eventstore/index.js'
import { eventDataSchemaId } from '../schemas/events.js'
import { aggregateTypeOf, topicOf } from './topics.js'

/** CloudEvents `type` of an Entente event: `entente.` and the event type, e.g. `entente.VisitScheduled`. */
export const CE_TYPE_PREFIX = 'entente.'

/**
 * The CloudEvents 1.0 attributes and Entente's extensions as Kafka headers (binary content
 * mode, https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md).
 * Every value is a UTF-8 string.
 */
export const HEADERS = {
  specVersion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  subject: 'ce_subject',
  dataSchema: 'ce_dataschema',
  contentType: 'content-type',
  streamVersion: 'ce_streamversion',
  globalPosition: 'ce_globalposition',
  schemaVersion: 'ce_schemaversion',
  correlationId: 'ce_correlationid',
} as const

/** A message ready for kafkajs: topic, key, value and headers. */
export interface EventMessage {
  topic: string
  key: string
  value: string
  headers: Record<string, string>
  /** Epoch milliseconds as text (kafkajs' form): when the event was recorded. */
  timestamp: string
}

/** The `dataschema` URI of an event's data: the `$id` of its JSON Schema as a URN. */
export function dataSchemaUri(type: string, schemaVersion: number): string {
  return `urn:entente:schema:${eventDataSchemaId(type, schemaVersion)}`
}

/**
 * The Kafka message for a recorded event: key = stream id (so a stream keeps its order in one
 * partition), value = the event data as JSON, CloudEvents headers.
 */
export function toMessage(event: RecordedEvent, topicPrefix: string): EventMessage {
  const headers: Record<string, string> = {
    [HEADERS.specVersion]: '1.0',
    [HEADERS.id]: event.eventId,
    [HEADERS.type]: `${CE_TYPE_PREFIX}${event.type}`,
    [HEADERS.source]: `urn:entente:${aggregateTypeOf(event.streamId)}`,
    [HEADERS.time]: event.recordedAt.toISOString(),
    [HEADERS.subject]: event.streamId,
    [HEADERS.dataSchema]: dataSchemaUri(event.type, event.schemaVersion),
    [HEADERS.contentType]: 'application/json',
    [HEADERS.streamVersion]: String(event.streamVersion),
    [HEADERS.globalPosition]: String(event.globalPosition),
    [HEADERS.schemaVersion]: String(event.schemaVersion),
  }
  const correlationId = event.metadata.correlationId ?? event.metadata.requestId
  if (typeof correlationId === 'string') headers[HEADERS.correlationId] = correlationId
  return {
    topic: topicOf(topicPrefix, event.streamId),
    key: event.streamId,
    value: JSON.stringify(event.data),
    headers,
    timestamp: String(event.recordedAt.getTime()),
  }
}

/** An Entente event as a subscriber receives it from Kafka. */
export interface DeliveredEvent<Data = Record<string, unknown>> {
  /** The event id (`ce_id`): the same on a redelivery, so dedupe by it. */
  id: string
  /** The event type, e.g. `VisitScheduled`. */
  type: string
  schemaVersion: number
  streamId: string
  streamVersion: number
  globalPosition: number
  /** When the event was recorded, ISO 8601. */
  time: string
  correlationId?: string
  data: Data
  topic: string
  partition: number
  offset: string
}

/** A message that is not an Entente event (a header missing or malformed). */
export class NotAnEventError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NotAnEventError'
  }
}

/** Kafka headers as strings (kafkajs delivers Buffers). */
export function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value
    if (first !== undefined) text[name] = first.toString()
  }
  return text
}

/** Reads a consumed message back into an event; throws NotAnEventError when it is not one. */
export function fromMessage(
  topic: string,
  partition: number,
  message: { value: Buffer | null; headers?: IHeaders; offset: string },
): DeliveredEvent {
  const h = headersAsText(message.headers)
  const need = (name: string): string => {
    const value = h[name]
    if (value === undefined || value === '') throw new NotAnEventError(`header ${name} is missing`)
    return value
  }
  const whole = (name: string): number => {
    const value = Number(need(name))
    if (!Number.isSafeInteger(value)) throw new NotAnEventError(`header ${name} is not a number`)
    return value
  }
  if (need(HEADERS.specVersion) !== '1.0')
    throw new NotAnEventError(`CloudEvents ${h[HEADERS.specVersion]} is not 1.0`)
  const type = need(HEADERS.type)
  if (!type.startsWith(CE_TYPE_PREFIX)) throw new NotAnEventError(`${type} is not an Entente type`)
  if (!message.value) throw new NotAnEventError('the message has no value')
  let data: Record<string, unknown>
  try {
    data = JSON.parse(message.value.toString('utf8'))
  } catch {
    throw new NotAnEventError('the value is not JSON')
  }
  return {
    id: need(HEADERS.id),
    type: type.slice(CE_TYPE_PREFIX.length),
    schemaVersion: whole(HEADERS.schemaVersion),
    streamId: need(HEADERS.subject),
    streamVersion: whole(HEADERS.streamVersion),
    globalPosition: whole(HEADERS.globalPosition),
    time: need(HEADERS.time),
    ...(h[HEADERS.correlationId] ? { correlationId: h[HEADERS.correlationId] } : {}),
    data,
    topic,
    partition,
    offset: message.offset,
  }
}
