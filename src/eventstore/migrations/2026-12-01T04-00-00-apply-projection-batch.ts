import { type Kysely, sql } from 'kysely'

/**
 * A live projection batch written in one statement: the checkpoint moves from where the batch
 * was read to its last event, and the batch's documents, parts and rows are replaced, all in
 * the function's one transaction. A runner used to spend about ten round trips a batch on
 * this (begin, lock, deletes, inserts, checkpoint, commit); with every projection runner of a
 * process waking on each append, they were most of the statements the server ran.
 *
 * The checkpoint row is updated first, and only when it still stands where the batch was read
 * (and the generation is still the active one): its row lock serialises runners as the
 * `select … for update` did, and a runner that lost its lock gets ENP01 and writes nothing.
 * Documents may have been loaded before the call: while the checkpoint stands still, nothing
 * else writes that generation.
 *
 * Inputs are JSON arrays: `p_replaced` [{kind, id}] documents that existed (their rows and
 * document are deleted first), `p_documents` [{kind, id, doc}], `p_part_cuts` [{kind, id,
 * from}], `p_parts` [{kind, id, field, part, items}], `p_rows` [{source_kind, source_id, kind,
 * id, doc, earliest, latest, countries, people}]. `p_notify`, when given, is the payload of a
 * notification on `entente_read_models`, delivered at commit. Returns the projection's
 * version, status and whether a rebuild was requested, so that the runner need not ask.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function entente_apply_projection_batch(
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
        delete from projection_rows r
         using jsonb_to_recordset(p_replaced) as k(kind text, id text)
         where r.projection = p_projection and r.generation = p_generation
           and r.source_kind = k.kind and r.source_id = k.id;
        delete from projection_documents d
         using jsonb_to_recordset(p_replaced) as k(kind text, id text)
         where d.projection = p_projection and d.generation = p_generation
           and d.kind = k.kind and d.id = k.id;
      end if;

      if jsonb_array_length(p_part_cuts) > 0 then
        delete from projection_document_parts p
         using jsonb_to_recordset(p_part_cuts) as c(kind text, id text, "from" integer)
         where p.projection = p_projection and p.generation = p_generation
           and p.kind = c.kind and p.id = c.id and p.part >= c."from";
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
  await sql`drop function if exists entente_apply_projection_batch(text, integer, xid8, bigint, xid8, bigint, bigint, timestamptz, jsonb, jsonb, jsonb, jsonb, jsonb, jsonb, text)`.execute(
    db,
  )
}
