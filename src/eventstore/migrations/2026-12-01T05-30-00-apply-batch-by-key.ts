import { type Kysely, sql } from 'kysely'
import * as previous from './2026-12-01T04-00-00-apply-projection-batch.js'

/**
 * `entente_apply_projection_batch` again, its deletes by key made index lookups whatever the
 * planner believes: each key is looked up in a lateral subquery (kept apart by `offset 0`) and
 * the rows found are deleted by ctid. As a join with the keys as a set, a delete was planned as
 * a hash of the whole generation whenever the table's statistics lagged behind its growth (see
 * `unnested` in src/projections/store.ts). Everything else is as before.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function entente_apply_projection_batch(
      p_projection text, p_generation integer,
      p_from_transaction_id xid8, p_from_position bigint,
      p_to_transaction_id xid8, p_to_position bigint,
      p_applied bigint, p_last_recorded_at timestamptz, p_failure jsonb,
      p_replaced jsonb, p_documents jsonb, p_part_cuts jsonb, p_parts jsonb, p_rows jsonb,
      p_notify text
    )
    returns table (out_version integer, out_status text, out_rebuild_requested boolean)
    language plpgsql as $$
    declare
      v_version integer;
      v_status text;
      v_rebuild boolean;
    begin
      update projections
         set checkpoint_transaction_id = p_to_transaction_id,
             checkpoint_position = p_to_position,
             last_recorded_at = coalesce(p_last_recorded_at, last_recorded_at),
             events_applied = events_applied + p_applied,
             status = case when p_failure is null then status else 'failed' end,
             error = coalesce(p_failure, error),
             updated_at = now()
       where name = p_projection and active_generation = p_generation
         and checkpoint_transaction_id = p_from_transaction_id
         and checkpoint_position = p_from_position
      returning version, status, rebuild_requested into v_version, v_status, v_rebuild;
      if not found then
        raise exception 'the checkpoint of % moved under this runner', p_projection
          using errcode = 'ENP01';
      end if;

      if jsonb_array_length(p_replaced) > 0 then
        delete from projection_rows
         where ctid = any(array(
           select r.ctid from jsonb_to_recordset(p_replaced) as k(kind text, id text)
            cross join lateral (
              select r.ctid from projection_rows r
               where r.projection = p_projection and r.generation = p_generation
                 and r.source_kind = k.kind and r.source_id = k.id
              offset 0) r));
        delete from projection_documents
         where ctid = any(array(
           select d.ctid from jsonb_to_recordset(p_replaced) as k(kind text, id text)
            cross join lateral (
              select d.ctid from projection_documents d
               where d.projection = p_projection and d.generation = p_generation
                 and d.kind = k.kind and d.id = k.id
              offset 0) d));
      end if;

      if jsonb_array_length(p_part_cuts) > 0 then
        delete from projection_document_parts
         where ctid = any(array(
           select p.ctid from jsonb_to_recordset(p_part_cuts) as c(kind text, id text, "from" integer)
            cross join lateral (
              select p.ctid from projection_document_parts p
               where p.projection = p_projection and p.generation = p_generation
                 and p.kind = c.kind and p.id = c.id and p.part >= c."from"
              offset 0) p));
      end if;
      insert into projection_document_parts (projection, generation, kind, id, field, part, items)
      select p_projection, p_generation, x.kind, x.id, x.field, x.part, x.items
        from jsonb_to_recordset(p_parts)
          as x(kind text, id text, field text, part integer, items jsonb)
      on conflict (projection, generation, kind, id, part) do update
        set items = excluded.items, field = excluded.field;

      insert into projection_documents (projection, generation, kind, id, doc)
      select p_projection, p_generation, x.kind, x.id, x.doc
        from jsonb_to_recordset(p_documents) as x(kind text, id text, doc jsonb);

      insert into projection_rows (projection, generation, source_kind, source_id, kind, id, doc,
                                   earliest, latest, countries, people)
      select p_projection, p_generation, x.source_kind, x.source_id, x.kind, x.id, x.doc,
             x.earliest, x.latest, coalesce(x.countries, '{}'), coalesce(x.people, '{}')
        from jsonb_to_recordset(p_rows)
          as x(source_kind text, source_id text, kind text, id text, doc jsonb,
               earliest timestamptz, latest timestamptz, countries text[], people text[])
      on conflict (projection, generation, kind, id) do update
        set doc = excluded.doc, earliest = excluded.earliest, latest = excluded.latest,
            countries = excluded.countries, people = excluded.people,
            source_kind = excluded.source_kind, source_id = excluded.source_id;

      if p_notify is not null then
        perform pg_notify('entente_read_models', p_notify);
      end if;
      return query select v_version, v_status, v_rebuild;
    end
    $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await previous.down(db)
  await previous.up(db)
}
