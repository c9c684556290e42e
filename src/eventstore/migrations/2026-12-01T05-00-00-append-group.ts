import { type Kysely, sql } from 'kysely'

/**
 * Group commit: appends to several streams in one transaction, each with its own outcome.
 * Under load most of an append's cost on the server is the transaction around it (snapshot,
 * commit record, WAL flush) and the round trip; a busy writer collects the appends that arrive
 * while its earlier ones are in flight and sends them together (`AppendGroups`).
 *
 * `p_appends` is a JSON array of `{stream_id, expected, events}`, `events` as for
 * `entente_append_to_stream`. Each append is checked and written as that function does it,
 * in array order (a later append to the same stream sees the earlier one). A refusal the
 * function would raise (ENC01 version conflict, ENI01 event ids used for other content) is
 * returned as that append's one row instead (`out_error`, `out_detail`), and the others still
 * commit. Anything else raises and the whole group is rolled back: the caller then sends each
 * append on its own, so that each gets its own answer.
 *
 * Every stream's lock is taken before anything is written, in the order of the lock keys, so
 * that two groups never wait for each other in a cycle.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function entente_append_group(p_appends jsonb)
    returns table (
      out_index integer, out_event_id uuid, out_stream_version integer,
      out_global_position bigint, out_replayed boolean, out_error text, out_detail text
    ) language plpgsql as $$
    declare
      v_key integer;
      v_append jsonb;
      v_index bigint;
      v_stream text;
      v_expected text;
      v_events jsonb;
      v_count integer;
      v_current integer;
      v_exists boolean;
      v_known integer;
      v_same integer;
    begin
      for v_key in
        select distinct hashtext(a->>'stream_id') from jsonb_array_elements(p_appends) a order by 1
      loop
        perform pg_advisory_xact_lock(1162761285, v_key);
      end loop;

      for v_append, v_index in
        select a, n - 1 from jsonb_array_elements(p_appends) with ordinality x(a, n) order by n
      loop
        v_stream := v_append->>'stream_id';
        v_expected := v_append->>'expected';
        v_events := v_append->'events';
        v_count := jsonb_array_length(v_events);

        if exists (select 1 from events e where e.event_id = (v_events->0->>'event_id')::uuid) then
          select count(*), count(*) filter (
                   where e.stream_id = v_stream and e.event_type = x.ev->>'event_type'
                     and e.data = x.ev->'data')
            into v_known, v_same
            from jsonb_array_elements(v_events) x(ev)
            join events e on e.event_id = (x.ev->>'event_id')::uuid;
          if v_known = v_count and v_same = v_count then
            return query
              select v_index::integer, e.event_id, e.stream_version, e.global_position, true,
                     null::text, null::text
                from jsonb_array_elements(v_events) x(ev)
                join events e on e.event_id = (x.ev->>'event_id')::uuid
               order by e.stream_version;
          else
            return query select v_index::integer, null::uuid, null::integer, null::bigint, false,
              'ENI01', json_build_object('streamId', v_stream, 'known', v_known,
                                         'identical', v_same, 'sent', v_count)::text;
          end if;
          continue;
        end if;

        select s.version into v_current from streams s where s.stream_id = v_stream;
        v_exists := found;
        v_current := coalesce(v_current, 0);
        if not (v_expected = 'any'
                or (v_expected = 'no_stream' and not v_exists)
                or (v_expected = 'stream_exists' and v_exists)
                or (v_expected ~ '^[0-9]+$' and v_expected::integer = v_current)) then
          return query select v_index::integer, null::uuid, null::integer, null::bigint, false,
            'ENC01', json_build_object('streamId', v_stream, 'expected', v_expected,
                                       'actual', v_current)::text;
          continue;
        end if;

        return query
          with inserted as (
            insert into events as e (event_id, stream_id, stream_version, event_type,
                                     schema_version, data, metadata, hash)
            select (x.ev->>'event_id')::uuid, v_stream, v_current + x.n::integer,
                   x.ev->>'event_type', coalesce((x.ev->>'schema_version')::integer, 1),
                   x.ev->'data', coalesce(x.ev->'metadata', '{}'::jsonb), ''::bytea
              from jsonb_array_elements(v_events) with ordinality x(ev, n)
             order by x.n
            returning e.event_id, e.stream_version, e.global_position)
          select v_index::integer, i.event_id, i.stream_version, i.global_position, false,
                 null::text, null::text
            from inserted i order by i.stream_version;

        insert into streams as s (stream_id, version) values (v_stream, v_current + v_count)
          on conflict (stream_id) do update set version = excluded.version, updated_at = now();
      end loop;
    end $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists entente_append_group(jsonb)`.execute(db)
}
