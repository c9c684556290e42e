import { type Kysely, sql } from 'kysely'

/**
 * Idempotency keys of the HTTP API: per API key (principal) and key, the hash of the request
 * that first used it and, once answered, the response to replay. A `pending` row is claimed
 * until `locked_until`; after that another request may take it over (the first one died).
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table idempotency_keys (
      principal text not null,
      key text not null,
      request_hash text not null,
      status text not null default 'pending' check (status in ('pending', 'completed')),
      locked_until timestamptz,
      response_status integer,
      response_body jsonb,
      response_headers jsonb,
      created_at timestamptz not null default now(),
      completed_at timestamptz,
      primary key (principal, key)
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists idempotency_keys`.execute(db)
}
