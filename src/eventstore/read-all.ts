import { type Kysely, sql } from 'kysely'
import { NotFoundError, ValidationError } from '../domain/errors.js'
import {
  EVENT_COLUMNS,
  LEAN_EVENT_COLUMNS,
  toLeanRecordedEvent,
  toRecordedEvent,
} from './recorded-event.js'
import type { Database } from './schema.js'
import { type Checkpoint, type LeanRecordedEvent, LOG_START, type RecordedEvent } from './types.js'

export interface ReadAllOptions {
  /** Read after this checkpoint (default: the start of the log). */
  after?: Checkpoint
  /** At most this many events (default 500). */
  limit?: number
  /** Only these event types. */
  eventTypes?: readonly string[]
  /** Only streams whose id starts with this, e.g. `visit-`. */
  streamPrefix?: string
  /** Only this stream. */
  streamId?: string
  /**
   * When caught up, also tell whether committed events wait behind an older transaction still
   * running (`AllSlice.heldBack`): for readers that follow the log and sleep when caught up.
   */
  checkHeldBack?: boolean
  /**
   * Leave out each event's metadata and hashes (`LeanRecordedEvent`): read models need neither,
   * and they are a third of what a read would otherwise parse.
   */
  lean?: boolean
}

export interface AllSlice<Event = RecordedEvent> {
  events: Event[]
  /** Where to continue from: the last event returned, or `after` when none was. */
  checkpoint: Checkpoint
  /** Fewer events than the limit: the reader has caught up for now. */
  caughtUp: boolean
  /**
   * Caught up, but committed events wait behind an older transaction still running (asked
   * with `checkHeldBack`; false otherwise). Their commit may have been announced already and
   * the transaction holding them back may announce nothing when it ends: look again soon.
   */
  heldBack: boolean
}

/**
 * Reads the whole log in commit-safe order: by (transaction id, global position), and only
 * events of transactions older than every transaction still running. An event whose
 * transaction commits late is therefore never skipped: it is not visible to any reader until
 * everything ordered before it is final. Every reader sees one and the same order, and a
 * stream's events come in version order because appends to a stream are serialised before
 * they write (so their transaction ids follow the version order).
 *
 * Transaction ids are the log's (the server's plus an offset that keeps them increasing
 * across a restore into another server; see the log-clock migration), and so is the bound:
 * `entente_log_horizon()`.
 *
 * Global positions are unique but, in this order, not always increasing: resume with the
 * returned checkpoint, or with `checkpointAt(position)` of the last event seen.
 */
export async function readAll(
  db: Kysely<Database>,
  options: ReadAllOptions & { lean: true },
): Promise<AllSlice<LeanRecordedEvent>>
export async function readAll(
  db: Kysely<Database>,
  options?: ReadAllOptions & { lean?: false },
): Promise<AllSlice>
export async function readAll(
  db: Kysely<Database>,
  options: ReadAllOptions = {},
): Promise<AllSlice<LeanRecordedEvent>> {
  const { after = LOG_START, limit = 500, eventTypes, streamPrefix, streamId } = options
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000)
    throw new ValidationError('the read is not valid', [
      { field: 'limit', rule: 'range', message: 'limit must be between 1 and 10000' },
    ])
  let query = db
    .selectFrom('events')
    .select(options.lean ? LEAN_EVENT_COLUMNS : EVENT_COLUMNS)
    .where(
      sql<boolean>`(transaction_id, global_position) > (${after.transactionId}::xid8, ${after.globalPosition}::bigint)`,
    )
    .where(sql<boolean>`transaction_id < entente_log_horizon()`)
    .orderBy('transaction_id')
    .orderBy('global_position')
    .limit(limit)
  if (eventTypes && eventTypes.length > 0) query = query.where('event_type', 'in', eventTypes)
  if (streamPrefix)
    query = query.where('stream_id', 'like', `${streamPrefix.replace(/[\\%_]/g, '\\$&')}%`)
  if (streamId !== undefined) query = query.where('stream_id', '=', streamId)
  let rows: Awaited<ReturnType<typeof query.execute>>
  let held = false
  if (options.checkHeldBack) {
    // In the same statement: whether committed events sit at or past the horizon, waiting
    // for an older transaction (one row with no event when there are none to read). Asked of
    // the newest transaction id, one step down the index: `exists (… where transaction_id >=
    // horizon)` is planned as a scan that expects a third of the log to match and stops at
    // the first, and so read the whole log whenever nothing waited, at every wake of every
    // reader.
    const result = await sql<(typeof rows)[number] & { held_back: boolean }>`
      select e.*, h.held_back
        from (select coalesce((select transaction_id from events
                                order by transaction_id desc limit 1)
                              >= entente_log_horizon(), false) as held_back) h
        left join lateral (${query}) e on true
       order by e.transaction_id, e.global_position`.execute(db)
    held = result.rows[0]?.held_back === true
    rows = result.rows.filter((row) => row.event_id !== null)
  } else rows = await query.execute()
  const events = options.lean
    ? rows.map(toLeanRecordedEvent)
    : rows.map((row) => toRecordedEvent(row as Parameters<typeof toRecordedEvent>[0]))
  const last = events[events.length - 1]
  const caughtUp = events.length < limit
  return {
    events,
    checkpoint: last
      ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
      : after,
    caughtUp,
    heldBack: caughtUp && held,
  }
}

/**
 * The checkpoint just after the event at a global position, for readers that remember only
 * the position (HTTP clients, `Last-Event-ID`). Position 0 is the start of the log.
 */
export async function checkpointAt(db: Kysely<Database>, position: number): Promise<Checkpoint> {
  if (position === 0) return LOG_START
  const row = await db
    .selectFrom('events')
    .select(sql<string>`transaction_id::text`.as('transaction_id'))
    .where('global_position', '=', position)
    .executeTakeFirst()
  if (!row) throw new NotFoundError('event at position', String(position))
  return { transactionId: row.transaction_id, globalPosition: position }
}

/** The newest event visible to readers (the head of the log), or the start when empty. */
export async function readHead(db: Kysely<Database>): Promise<Checkpoint> {
  const row = await db
    .selectFrom('events')
    .select([sql<string>`transaction_id::text`.as('transaction_id'), 'global_position'])
    .where(sql<boolean>`transaction_id < entente_log_horizon()`)
    // The column, not the text alias of the same name (text sorts '999' after '1000').
    .orderBy(sql`events.transaction_id`, 'desc')
    .orderBy('global_position', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row
    ? { transactionId: row.transaction_id, globalPosition: row.global_position }
    : LOG_START
}
