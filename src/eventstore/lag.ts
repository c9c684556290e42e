import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'
import type { Checkpoint } from './types.js'

export interface Lag {
  /** Events visible to readers after the checkpoint (counted up to `cap`). */
  events: number
  /** Seconds since the oldest of them was recorded; 0 when caught up. */
  seconds: number
}

/** How far a reader at `checkpoint` is behind the head of the log. */
export async function lagBehind(
  db: Kysely<Database>,
  checkpoint: Checkpoint,
  cap = 1_000_000,
): Promise<Lag> {
  const { rows } = await sql<{ events: number; oldest: Date | null }>`
    select count(*)::int as events, min(recorded_at) as oldest from (
      select recorded_at from events
       where (transaction_id, global_position) > (${checkpoint.transactionId}::xid8, ${checkpoint.globalPosition}::bigint)
         and transaction_id < entente_log_horizon()
       order by transaction_id, global_position
       limit ${cap}) behind`.execute(db)
  const row = rows[0]
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : undefined
  return {
    events: Number(row?.events ?? 0),
    seconds: oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
  }
}
