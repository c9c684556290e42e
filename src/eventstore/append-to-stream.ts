import { type Kysely, sql } from 'kysely'
import { ValidationError } from '../domain/errors.js'
import {
  AppendOnlyViolationError,
  IdempotencyConflictError,
  WrongExpectedVersionError,
} from './errors.js'
import type { Database } from './schema.js'
import type { AppendResult, ExpectedVersion, NewEvent } from './types.js'
import { validateAppend } from './validate-append.js'

export interface AppendOptions {
  /**
   * NOTIFY readers from inside the append's transaction (the default). Postgres serialises
   * the commits of notifying transactions, so `EventLogConnection.append` turns this off and
   * announces appends right after they commit instead.
   */
  notifyInTransaction?: boolean
}

/** One appended (or, on a retry, already appended) event, as the append functions return it. */
export interface AppendRow {
  out_event_id: string
  out_stream_version: number
  out_global_position: number
  out_replayed: boolean
}

/**
 * Appends events to one stream atomically, if the stream is at the expected version.
 * A retry with the same event ids returns the first result and writes nothing.
 *
 * @example
 * await appendToStream(db, 'visit-42', [{ eventId, type: 'VisitScheduled', data }], 'no_stream')
 *
 * @throws ValidationError for bad input, WrongExpectedVersionError on a version conflict,
 *   IdempotencyConflictError when an event id was already used for other content.
 */
export async function appendToStream(
  db: Kysely<Database>,
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedVersion = 'any',
  options: AppendOptions = {},
): Promise<AppendResult> {
  const payload = validateAppend(streamId, events, expected)
  return appendValidated(db, streamId, payload, expected, options)
}

/** `appendToStream` for events that `validateAppend` already turned into its `payload`. */
export async function appendValidated(
  db: Kysely<Database>,
  streamId: string,
  payload: string,
  expected: ExpectedVersion,
  options: AppendOptions = {},
): Promise<AppendResult> {
  let rows: AppendRow[]
  try {
    const result = await sql<AppendRow>`
      select out_event_id, out_stream_version, out_global_position, out_replayed
        from entente_append_to_stream(${streamId}, ${expectedText(expected)}, ${payload}::jsonb,
                                      ${options.notifyInTransaction ?? true})`.execute(db)
    rows = result.rows
  } catch (error) {
    throw translateDatabaseError(error, streamId, expected)
  }
  return appendResult(streamId, rows)
}

/** The expected version as the append functions take it. */
export function expectedText(expected: ExpectedVersion): string {
  return typeof expected === 'number' ? String(expected) : expected
}

/** An append's result from the rows of its events, in stream order. */
export function appendResult(streamId: string, rows: readonly AppendRow[]): AppendResult {
  const last = rows[rows.length - 1]
  return {
    streamId,
    nextExpectedVersion: last ? last.out_stream_version : 0,
    events: rows.map((row) => ({
      eventId: row.out_event_id,
      streamVersion: row.out_stream_version,
      globalPosition: row.out_global_position,
    })),
    replayed: rows.length > 0 && rows.every((row) => row.out_replayed),
  }
}

interface PgError {
  code?: string
  detail?: string
  constraint?: string
  message?: string
}

/** Maps the SQLSTATEs that the event log raises to typed errors; anything else is rethrown. */
export function translateDatabaseError(
  error: unknown,
  streamId: string,
  expected: ExpectedVersion,
): unknown {
  const e = error as PgError
  switch (e.code) {
    case 'ENC01': {
      const detail = safeJson(e.detail)
      return new WrongExpectedVersionError(streamId, expected, Number(detail?.actual ?? -1))
    }
    case 'ENI01':
      return new IdempotencyConflictError(
        streamId,
        'these event ids were already appended with other content or to another stream',
      )
    case 'ENA01':
      return new AppendOnlyViolationError(e.message ?? 'the event log is append-only')
    case '23505':
      // Two appends of one new event id to different streams raced; the loser lands here.
      if (e.constraint === 'events_event_id_key')
        return new IdempotencyConflictError(streamId, 'an event id was appended concurrently')
      return error
    case '22P05':
      return new ValidationError('the append is not valid', [
        { field: 'events', rule: 'json-string', message: 'text that Postgres cannot store' },
      ])
    default:
      return error
  }
}

function safeJson(text: string | undefined): Record<string, unknown> | undefined {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}
