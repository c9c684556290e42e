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

/** A projection's checkpoint, status and active generation (see src/projections). */
export interface ProjectionsTable {
  name: string
  version: number
  status: ColumnType<ProjectionStatus, ProjectionStatus | undefined, ProjectionStatus>
  active_generation: Generated<number>
  checkpoint_transaction_id: Generated<string>
  checkpoint_position: Generated<number>
  events_applied: Generated<number>
  last_recorded_at: Date | null
  rebuild_requested: Generated<boolean>
  rebuild_generation: number | null
  rebuild_transaction_id: string | null
  rebuild_position: number | null
  rebuild_events_done: number | null
  rebuild_started_at: Date | null
  error: JsonColumn | null
  updated_at: Generated<Date>
}

export type ProjectionStatus = 'running' | 'rebuilding' | 'failed' | 'stopped'

export interface ProjectionDocumentsTable {
  projection: string
  generation: number
  kind: string
  id: string
  doc: JsonColumn
}

/** A slice of a document's array member `field`: elements part·size to (part+1)·size − 1. */
export interface ProjectionDocumentPartsTable {
  projection: string
  generation: number
  kind: string
  id: string
  field: string
  part: number
  items: JsonColumn<unknown[]>
}

export interface ProjectionRowsTable {
  projection: string
  generation: number
  source_kind: string
  source_id: string
  kind: string
  id: string
  doc: JsonColumn
  earliest: Date | null
  latest: Date | null
  countries: string[]
  people: string[]
}

/** An API key: its public id, a hash of its secret, and what it may do (see src/api/auth). */
export interface ApiKeysTable {
  id: string
  name: string
  key_hash: Buffer
  scopes: string[]
  created_at: Generated<Date>
  revoked_at: Date | null
}

/** An Idempotency-Key of the HTTP API and the response it replays (see src/api/idempotency.ts). */
export interface IdempotencyKeysTable {
  principal: string
  key: string
  request_hash: string
  status: ColumnType<'pending' | 'completed', 'pending' | 'completed' | undefined>
  locked_until: Date | null
  response_status: number | null
  response_body: JsonColumn<unknown> | null
  response_headers: JsonColumn<Record<string, string>> | null
  created_at: Generated<Date>
  completed_at: Date | null
}

export interface Database {
  events: EventsTable
  streams: StreamsTable
  projections: ProjectionsTable
  projection_documents: ProjectionDocumentsTable
  projection_document_parts: ProjectionDocumentPartsTable
  projection_rows: ProjectionRowsTable
  api_keys: ApiKeysTable
  idempotency_keys: IdempotencyKeysTable
}

export type EventRow = Selectable<EventsTable>
export type NewEventRow = Insertable<EventsTable>
