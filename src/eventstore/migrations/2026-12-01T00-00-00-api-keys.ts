import { type Kysely, sql } from 'kysely'

/**
 * API keys: only a SHA-256 hash of each secret is stored, beside the short id that is part of
 * the key (`ent_<id>_<secret>`) so that a key can be found, listed and revoked without it.
 * Revoking sets `revoked_at`; rows are kept for the record of who could do what.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table api_keys (
      id text primary key,
      name text not null,
      key_hash bytea not null,
      scopes text[] not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists api_keys`.execute(db)
}
