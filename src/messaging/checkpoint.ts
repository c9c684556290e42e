import type { ColumnType, Kysely } from 'kysely'
import { sql } from 'kysely'
import type { Checkpoint, Database } from '../eventstore/index.js'

/** `relay_checkpoints` (migration 2026-12-01T02-00-00): one row per relay. */
export interface RelayCheckpointsTable {
  name: string
  /** xid8 as text. */
  checkpoint_transaction_id: ColumnType<string, string | undefined, string>
  checkpoint_position: ColumnType<number, number | undefined, number>
  events_published: ColumnType<number, number | undefined, number>
  last_recorded_at: ColumnType<Date | null, Date | undefined, Date>
  updated_at: ColumnType<Date, Date | undefined, Date>
}

export type RelayDatabase = Database & { relay_checkpoints: RelayCheckpointsTable }

/** The log's tables plus the relay's (the relay's table lives here, not in the log's schema). */
export function relayTables(db: Kysely<Database>): Kysely<RelayDatabase> {
  return db.withTables<{ relay_checkpoints: RelayCheckpointsTable }>()
}

export interface RelayPosition {
  checkpoint: Checkpoint
  /** Events published since the relay first ran (duplicates after a crash counted once). */
  eventsPublished: number
}

/** The relay's checkpoint, creating its row at the start of the log on first sight. */
export async function loadRelayCheckpoint(
  db: Kysely<Database>,
  name: string,
): Promise<RelayPosition> {
  const tables = relayTables(db)
  await tables
    .insertInto('relay_checkpoints')
    .values({ name })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  const row = await tables
    .selectFrom('relay_checkpoints')
    .select([
      sql<string>`checkpoint_transaction_id::text`.as('transaction_id'),
      'checkpoint_position',
      'events_published',
    ])
    .where('name', '=', name)
    .executeTakeFirstOrThrow()
  return {
    checkpoint: {
      transactionId: row.transaction_id,
      globalPosition: Number(row.checkpoint_position),
    },
    eventsPublished: Number(row.events_published),
  }
}

/** Another relay moved the checkpoint: this one lost its lease without noticing. */
export class RelayCheckpointMovedError extends Error {
  constructor(name: string) {
    super(`the checkpoint of relay ${name} moved under it; standing by`)
    this.name = 'RelayCheckpointMovedError'
  }
}

/**
 * Moves the checkpoint from `from` to `to` after the broker acknowledged the events between
 * them. Compare-and-set: a relay whose lease was lost without it noticing cannot move the
 * checkpoint of the one that took over (it gets RelayCheckpointMovedError).
 */
export async function advanceRelayCheckpoint(
  db: Kysely<Database>,
  name: string,
  from: Checkpoint,
  to: Checkpoint,
  published: { count: number; lastRecordedAt: Date },
): Promise<void> {
  const result = await relayTables(db)
    .updateTable('relay_checkpoints')
    .set({
      checkpoint_transaction_id: to.transactionId,
      checkpoint_position: to.globalPosition,
      events_published: sql<number>`events_published + ${published.count}`,
      last_recorded_at: published.lastRecordedAt,
      updated_at: new Date(),
    })
    .where('name', '=', name)
    .where(sql<boolean>`checkpoint_transaction_id = ${from.transactionId}::xid8`)
    .where('checkpoint_position', '=', from.globalPosition)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) throw new RelayCheckpointMovedError(name)
}
