import { type Kysely, sql } from 'kysely'

/**
 * Parts of large read-model documents: an array member of a document (a busy pair's
 * relationship items, tens of thousands of them) stored in numbered slices beside the rest of
 * the document, so that a change rewrites the slices it touched instead of the whole document.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table projection_document_parts (
      projection text not null,
      generation integer not null,
      kind text not null,
      id text not null,
      field text not null,
      part integer not null,
      items jsonb not null,
      primary key (projection, generation, kind, id, part)
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists projection_document_parts`.execute(db)
}
