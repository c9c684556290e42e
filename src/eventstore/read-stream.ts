import type { Kysely } from 'kysely'
import { ValidationError } from '../domain/errors.js'
import { LIMITS } from './limits.js'
import { EVENT_COLUMNS, toRecordedEvent } from './recorded-event.js'
import type { Database } from './schema.js'
import type { RecordedEvent } from './types.js'

export interface ReadStreamOptions {
  /** `forward` (oldest first, the default) or `backward` (newest first). */
  direction?: 'forward' | 'backward'
  /** First version to return: forward defaults to 1, backward to the last. */
  fromVersion?: number
  /** Last version to return (forward), or the lowest (backward). */
  toVersion?: number
  maxCount?: number
  /** Only events recorded at or before this time: the stream as it stood then. */
  recordedUpTo?: Date
}

export interface StreamSlice {
  streamId: string
  /** The stream's current version (0 when it does not exist), or as of `recordedUpTo`. */
  streamVersion: number
  events: RecordedEvent[]
}

/**
 * Reads one stream's events in version order.
 *
 * @example
 * const { events } = await readStream(db, 'visit-42', { direction: 'backward', maxCount: 10 })
 */
export async function readStream(
  db: Kysely<Database>,
  streamId: string,
  options: ReadStreamOptions = {},
): Promise<StreamSlice> {
  const { direction = 'forward', fromVersion, toVersion, maxCount, recordedUpTo } = options
  for (const [field, value] of Object.entries({ fromVersion, toVersion, maxCount })) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0))
      throw new ValidationError('the read is not valid', [
        { field, rule: 'non-negative-integer', message: `${field} must be 0 or more` },
      ])
  }
  for (const [field, value] of Object.entries({ fromVersion, toVersion }))
    if (value !== undefined && value > LIMITS.streamVersion)
      throw new ValidationError('the read is not valid', [
        { field, rule: 'max', message: `${field} must be at most ${LIMITS.streamVersion}` },
      ])
  const backward = direction === 'backward'
  let query = db
    .selectFrom('events')
    .select(EVENT_COLUMNS)
    .where('stream_id', '=', streamId)
    .orderBy('stream_version', backward ? 'desc' : 'asc')
  if (fromVersion !== undefined)
    query = query.where('stream_version', backward ? '<=' : '>=', fromVersion)
  if (toVersion !== undefined)
    query = query.where('stream_version', backward ? '>=' : '<=', toVersion)
  if (recordedUpTo) query = query.where('recorded_at', '<=', recordedUpTo)
  if (maxCount !== undefined) query = query.limit(maxCount)

  // The whole stream, oldest first (what loading an aggregate reads): its last event's version
  // is the head, from the same snapshot, in one round trip instead of two.
  const whole =
    !backward &&
    fromVersion === undefined &&
    toVersion === undefined &&
    maxCount === undefined &&
    !recordedUpTo
  if (whole) {
    const rows = await query.execute()
    return {
      streamId,
      streamVersion: rows.at(-1)?.stream_version ?? 0,
      events: rows.map(toRecordedEvent),
    }
  }

  let versionQuery = db
    .selectFrom('events')
    .select((eb) => eb.fn.max('stream_version').as('version'))
    .where('stream_id', '=', streamId)
  if (recordedUpTo) versionQuery = versionQuery.where('recorded_at', '<=', recordedUpTo)

  const [rows, head] = await Promise.all([
    query.execute(),
    recordedUpTo
      ? versionQuery.executeTakeFirst()
      : db
          .selectFrom('streams')
          .select('version')
          .where('stream_id', '=', streamId)
          .executeTakeFirst(),
  ])
  return {
    streamId,
    streamVersion: Number(head?.version ?? 0),
    events: rows.map(toRecordedEvent),
  }
}

/**
 * A stream's events from `version` on, oldest first, in one round trip (no head of its own: the
 * last event's version is the head as this read saw it). For a reader that holds what the
 * stream said up to `version` and checks, by the first event's id, that it still says it.
 */
export async function readStreamFrom(
  db: Kysely<Database>,
  streamId: string,
  version: number,
): Promise<RecordedEvent[]> {
  const rows = await db
    .selectFrom('events')
    .select(EVENT_COLUMNS)
    .where('stream_id', '=', streamId)
    .where('stream_version', '>=', version)
    .orderBy('stream_version')
    .execute()
  return rows.map(toRecordedEvent)
}
