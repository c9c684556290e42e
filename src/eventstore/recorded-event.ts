import type { EventRow } from './schema.js'
import type { EventMetadata, LeanRecordedEvent, RecordedEvent } from './types.js'

/** The columns a lean read selects (`LeanRecordedEvent`): all but the metadata and hashes. */
export const LEAN_EVENT_COLUMNS = [
  'global_position',
  'event_id',
  'stream_id',
  'stream_version',
  'event_type',
  'schema_version',
  'data',
  'recorded_at',
  'transaction_id',
] as const

/** The columns every other read selects. */
export const EVENT_COLUMNS = [...LEAN_EVENT_COLUMNS, 'metadata', 'prev_hash', 'hash'] as const

/** Maps a row of `events` read with `LEAN_EVENT_COLUMNS` to the event without its metadata. */
export function toLeanRecordedEvent(
  row: Pick<EventRow, (typeof LEAN_EVENT_COLUMNS)[number]>,
): LeanRecordedEvent {
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: row.global_position,
    transactionId: String(row.transaction_id),
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    recordedAt: row.recorded_at,
  }
}

/** Maps a row of `events` to the event as the rest of the application sees it. */
export function toRecordedEvent(
  row: Pick<EventRow, (typeof EVENT_COLUMNS)[number]>,
): RecordedEvent {
  return {
    ...toLeanRecordedEvent(row),
    metadata: row.metadata as EventMetadata,
    hash: toHex(row.hash),
    prevHash: row.prev_hash ? toHex(row.prev_hash) : null,
  }
}

function toHex(value: Buffer | Uint8Array): string {
  return Buffer.from(value).toString('hex')
}
