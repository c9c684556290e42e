import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

/** JSON stored in a `jsonb` column: objects in, objects out. */
export type JsonColumn<T = Record<string, unknown>> = ColumnType<T, string, string>

/**
 * The append-only event log. Rows are written only by `entente_append_to_stream`
 * (see the migrations); UPDATE, DELETE and TRUNCATE are rejected by triggers.
 */
export interface EventsTable {
  global_position: Generated<number>
  event_id: string
  stream_id: string
  stream_version: number
  event_type: string
  schema_version: number
  data: JsonColumn
  metadata: JsonColumn
  recorded_at: Generated<Date>
  /** xid8 as text: 64-bit, compared in SQL only. */
  transaction_id: Generated<string>
  prev_hash: Buffer | null
  hash: Buffer
}

/** One row per stream: its current version (the version of its last event). */
export interface StreamsTable {
  stream_id: string
  version: number
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface Database {
  events: EventsTable
  streams: StreamsTable
}

export type EventRow = Selectable<EventsTable>
export type NewEventRow = Insertable<EventsTable>
