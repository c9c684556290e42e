import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

/** Which server's transaction ids the log follows now, and the offset added to them. */
export interface LogClock {
  /** The server's `system_identifier` (from initdb), as text. */
  systemIdentifier: string
  /** Added to the server's transaction ids in the log (numeric, as text); 0 until a restore. */
  offset: string
  /** Times the log was found on another server than the one it was written on. */
  restores: number
  /** The server before the last restore, if any. */
  previousSystemIdentifier: string | null
}

export interface SettledLogClock extends LogClock {
  /** True when this call found the log restored from another server and moved the offset. */
  restored: boolean
}

async function readClock(db: Kysely<Database>): Promise<LogClock & { current: boolean }> {
  const { rows } = await sql<{
    system_identifier: string
    xid_offset: string
    restores: number
    previous_system_identifier: string | null
    current: boolean
  }>`
    select l.system_identifier::text, l.xid_offset::text, l.restores,
           l.previous_system_identifier::text,
           l.system_identifier = (select c.system_identifier from pg_control_system() c) as current
      from log_clock l`.execute(db)
  const row = rows[0]
  if (!row) throw new Error('log_clock has no row: migrate the store first')
  return {
    systemIdentifier: row.system_identifier,
    offset: row.xid_offset,
    restores: row.restores,
    previousSystemIdentifier: row.previous_system_identifier,
    current: row.current,
  }
}

/**
 * Makes sure the log's transaction ids continue above every id in it, before anything is
 * appended: after a restore into another server (pg_restore of a dump), that server's ids may
 * restart far below. Appends do the same by themselves (the insert trigger), so this only
 * brings it forward to start-up, where it can be reported. A restart of the same server, or a
 * physical copy of it, changes nothing.
 */
export async function settleLogClock(db: Kysely<Database>): Promise<SettledLogClock> {
  const before = await readClock(db)
  if (before.current) return { ...withoutCurrent(before), restored: false }
  await db.transaction().execute((trx) => sql`select entente_log_offset()`.execute(trx))
  const after = await readClock(db)
  return { ...withoutCurrent(after), restored: true }
}

function withoutCurrent({ current: _, ...clock }: LogClock & { current: boolean }): LogClock {
  return clock
}
