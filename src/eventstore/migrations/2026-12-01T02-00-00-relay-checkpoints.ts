import { type Kysely, sql } from 'kysely'

/**
 * The Kafka relay's checkpoint: how far into the log it has published, moved only after the
 * broker acknowledged. One row per relay name.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table relay_checkpoints (
      name text primary key,
      checkpoint_transaction_id xid8 not null default '0',
      checkpoint_position bigint not null default 0,
      events_published bigint not null default 0,
      last_recorded_at timestamptz,
      updated_at timestamptz not null default now()
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table relay_checkpoints`.execute(db)
}
