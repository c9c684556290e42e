import { type Kysely, sql } from 'kysely'

/**
 * Read models: one row per projection (its checkpoint, status and active generation), its
 * documents, and the rows derived from them for queries. A rebuild writes the next generation
 * beside the active one and switches in one transaction, so readers never see it half-built.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table projections (
      name text primary key,
      version integer not null,
      status text not null default 'running'
        check (status in ('running', 'rebuilding', 'failed', 'stopped')),
      active_generation integer not null default 1,
      checkpoint_transaction_id xid8 not null default '0',
      checkpoint_position bigint not null default 0,
      events_applied bigint not null default 0,
      last_recorded_at timestamptz,
      rebuild_requested boolean not null default false,
      rebuild_generation integer,
      rebuild_transaction_id xid8,
      rebuild_position bigint,
      rebuild_events_done bigint,
      rebuild_started_at timestamptz,
      error jsonb,
      updated_at timestamptz not null default now()
    )`.execute(db)

  await sql`
    create table projection_documents (
      projection text not null,
      generation integer not null,
      kind text not null,
      id text not null,
      doc jsonb not null,
      primary key (projection, generation, kind, id)
    )`.execute(db)

  await sql`
    create table projection_rows (
      projection text not null,
      generation integer not null,
      source_kind text not null,
      source_id text not null,
      kind text not null,
      id text not null,
      doc jsonb not null,
      earliest timestamptz,
      latest timestamptz,
      countries text[] not null default '{}',
      people text[] not null default '{}',
      primary key (projection, generation, kind, id)
    )`.execute(db)
  await sql`create index projection_rows_source on projection_rows (projection, generation, source_kind, source_id)`.execute(
    db,
  )
  await sql`create index projection_rows_order on projection_rows (projection, generation, kind, earliest, id)`.execute(
    db,
  )
  await sql`create index projection_rows_people on projection_rows using gin (people)`.execute(db)
  await sql`create index projection_rows_countries on projection_rows using gin (countries)`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists projection_rows`.execute(db)
  await sql`drop table if exists projection_documents`.execute(db)
  await sql`drop table if exists projections`.execute(db)
}
