/**
 * What the caller believes about the stream before appending:
 * - `any`: append whatever the version;
 * - `no_stream`: the stream must not exist yet (same as version 0);
 * - `stream_exists`: the stream must have at least one event;
 * - a number: the stream must be exactly at that version.
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number

/** An event to append. `eventId` makes the append idempotent: send the same id on a retry. */
export interface NewEvent<Type extends string = string, Data = Record<string, unknown>> {
  eventId: string
  type: Type
  data: Data
  /** Version of the payload's shape for this type (default 1); see upcasters. */
  schemaVersion?: number
  metadata?: EventMetadata
}

/** Who recorded an event, why, and on which sources. Stored with every event. */
export interface EventMetadata {
  actor?: string
  requestId?: string
  correlationId?: string
  causationId?: string
  idempotencyKey?: string
  sources?: unknown[]
  [key: string]: unknown
}

/** An event as stored in the log. */
export interface RecordedEvent<Type extends string = string, Data = Record<string, unknown>> {
  eventId: string
  streamId: string
  streamVersion: number
  globalPosition: number
  /**
   * The appending transaction's id in the log (xid8, as text: the server's id plus the log
   * clock's offset, which is 0 until the log is restored into another server); orders the
   * log with globalPosition.
   */
  transactionId: string
  type: Type
  schemaVersion: number
  data: Data
  metadata: EventMetadata
  recordedAt: Date
  /** SHA-256 of this event and the previous one's hash, hex. */
  hash: string
  prevHash: string | null
}

/**
 * An event without its metadata and hashes, as `readAll` reads it with `lean`: what read models
 * need, and a third less to read and parse.
 */
export type LeanRecordedEvent<Type extends string = string, Data = Record<string, unknown>> = Omit<
  RecordedEvent<Type, Data>,
  'metadata' | 'hash' | 'prevHash'
>

/** Where a reader of the whole log stands: after the event at this place in log order. */
export interface Checkpoint {
  transactionId: string
  globalPosition: number
}

/** Before the first event. */
export const LOG_START: Checkpoint = Object.freeze({ transactionId: '0', globalPosition: 0 })

export interface AppendResult {
  streamId: string
  /** The stream's version after the append (its last event's version). */
  nextExpectedVersion: number
  events: { eventId: string; streamVersion: number; globalPosition: number }[]
  /** True when this was a retry of an append already made: nothing new was written. */
  replayed: boolean
}
