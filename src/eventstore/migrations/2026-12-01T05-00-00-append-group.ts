import { type Kysely, sql } from 'kysely'

/**
 * Group commit: appends to several streams in one transaction, each with its own outcome.
 * Under load most of an append's cost on the server is the transaction around it (snapshot,
 * commit record, WAL flush) and the round trip; a busy writer collects the appends that arrive
 * while its earlier ones are in flight and sends them together (`AppendGroups`).
 *
 * One append's work moves into `entente_append_one` (replay an identical retry, check the
 * expected version, insert, move the stream head), which returns a refusal as a row instead of
 * raising it. Both callers take the stream locks first and call it:
 * - `entente_append_to_stream` (one stream) raises the refusal, with the SQLSTATE, message and
 *   detail it always had (ENC01 version conflict, ENI01 event ids used for other content);
 * - `entente_append_group(p_appends)`, `p_appends` a JSON array of `{stream_id, expected,
 *   events}`, appends in array order (a later append to the same stream sees the earlier one)
 *   and returns each append's rows or refusal, tagged with its index: one refused append does
 *   not stop the others. Anything else raises and the whole group is rolled back; the caller
 *   then sends each append on its own, so that each gets its own answer. Every stream's lock is
 *   taken before anything is written, in the order of the lock keys, so that two groups never
 *   wait for each other in a cycle.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // The caller holds the stream's advisory lock.
  await sql`
    create function entente_append_one(p_stream_id text, p_expected text, p_events jsonb)
    returns table (
      out_event_id uuid, out_stream_version integer, out_global_position bigint,
      out_transaction_id xid8, out_replayed boolean,
      out_error text, out_message text, out_detail text
    ) language plpgsql as $$
    declare
      v_current integer;
      v_exists boolean;
      v_count integer := jsonb_array_length(p_events);
      v_known integer;
      v_same integer;
    begin
      -- A retry sends the same ids again. Probing the first id is enough to tell: a batch
      -- whose first id is new but a later one is not fails on the unique index instead.
      if exists (select 1 from events e where e.event_id = (p_events->0->>'event_id')::uuid) then
        select count(*), count(*) filter (
                 where e.stream_id = p_stream_id and e.event_type = x.ev->>'event_type'
                   and e.data = x.ev->'data')
          into v_known, v_same
          from jsonb_array_elements(p_events) x(ev)
          join events e on e.event_id = (x.ev->>'event_id')::uuid;
        if v_known = v_count and v_same = v_count then
          return query
            select e.event_id, e.stream_version, e.global_position, e.transaction_id, true,
                   null::text, null::text, null::text
              from jsonb_array_elements(p_events) x(ev)
              join events e on e.event_id = (x.ev->>'event_id')::uuid
             order by e.stream_version;
        else
          return query select null::uuid, null::integer, null::bigint, null::xid8, false,
            'ENI01', 'event ids were already used for other content',
            json_build_object('streamId', p_stream_id, 'known', v_known,
                              'identical', v_same, 'sent', v_count)::text;
        end if;
        return;
      end if;

      select s.version into v_current from streams s where s.stream_id = p_stream_id;
      v_exists := found;
      v_current := coalesce(v_current, 0);
      if not (p_expected = 'any'
              or (p_expected = 'no_stream' and not v_exists)
              or (p_expected = 'stream_exists' and v_exists)
              or (p_expected ~ '^[0-9]+$' and p_expected::integer = v_current)) then
        return query select null::uuid, null::integer, null::bigint, null::xid8, false,
          'ENC01', format('stream %s is at version %s, expected %s', p_stream_id, v_current,
                          p_expected),
          json_build_object('streamId', p_stream_id, 'expected', p_expected,
                            'actual', v_current)::text;
        return;
      end if;

      return query
        with inserted as (
          insert into events as e (event_id, stream_id, stream_version, event_type,
                                   schema_version, data, metadata, hash)
          select (x.ev->>'event_id')::uuid, p_stream_id, v_current + x.n::integer,
                 x.ev->>'event_type', coalesce((x.ev->>'schema_version')::integer, 1),
                 x.ev->'data', coalesce(x.ev->'metadata', '{}'::jsonb), ''::bytea
            from jsonb_array_elements(p_events) with ordinality x(ev, n)
           order by x.n
          returning e.event_id, e.stream_version, e.global_position, e.transaction_id)
        select i.event_id, i.stream_version, i.global_position, i.transaction_id, false,
               null::text, null::text, null::text
          from inserted i order by i.stream_version;

      insert into streams as s (stream_id, version) values (p_stream_id, v_current + v_count)
        on conflict (stream_id) do update set version = excluded.version, updated_at = now();
    end $$`.execute(db)

  // The same function as before, its append's work now in entente_append_one.
  await sql`
    create or replace function entente_append_to_stream(
      p_stream_id text, p_expected text, p_events jsonb, p_notify boolean default true
    )
    returns table (
      out_event_id uuid, out_stream_version integer, out_global_position bigint,
      out_transaction_id xid8, out_replayed boolean
    ) language plpgsql as $$
    declare
      r record;
      v_replayed boolean := false;
    begin
      -- Serialise on the stream before anything is written, so that transaction ids of one
      -- stream's appends follow its version order.
      perform pg_advisory_xact_lock(1162761285, hashtext(p_stream_id));
      for r in select * from entente_append_one(p_stream_id, p_expected, p_events) loop
        if r.out_error is not null then
          raise exception '%', r.out_message using errcode = r.out_error, detail = r.out_detail;
        end if;
        out_event_id := r.out_event_id;
        out_stream_version := r.out_stream_version;
        out_global_position := r.out_global_position;
        out_transaction_id := r.out_transaction_id;
        out_replayed := r.out_replayed;
        v_replayed := r.out_replayed;
        return next;
      end loop;
      -- Delivered at commit, for new events only (see the event-log migration on why busy
      -- writers pass p_notify = false).
      if p_notify and not v_replayed then
        perform pg_notify('entente_events', p_stream_id);
      end if;
    end $$`.execute(db)

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
    begin
      for v_key in
        select distinct hashtext(a->>'stream_id') from jsonb_array_elements(p_appends) a order by 1
      loop
        perform pg_advisory_xact_lock(1162761285, v_key);
      end loop;

      for v_append, v_index in
        select a, n - 1 from jsonb_array_elements(p_appends) with ordinality x(a, n) order by n
      loop
        return query
          select v_index::integer, o.out_event_id, o.out_stream_version, o.out_global_position,
                 o.out_replayed, o.out_error, o.out_detail
            from entente_append_one(v_append->>'stream_id', v_append->>'expected',
                                    v_append->'events') o;
      end loop;
    end $$`.execute(db)
}

/**
 * Undoes group commit. `entente_append_to_stream` keeps calling `entente_append_one`, which
 * stays: it appends exactly as the function did before this migration.
 */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists entente_append_group(jsonb)`.execute(db)
}
