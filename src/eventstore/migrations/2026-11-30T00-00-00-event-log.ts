import { type Kysely, sql } from 'kysely'

/**
 * The event log: `events` (append-only, hash-chained per stream), `streams` (current
 * versions), and `entente_append_to_stream`, which appends a batch in one round trip.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table streams (
      stream_id text primary key,
      version integer not null check (version > 0),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db)

  await sql`
    create table events (
      global_position bigint generated always as identity primary key,
      event_id uuid not null unique,
      stream_id text not null,
      stream_version integer not null check (stream_version > 0),
      event_type text not null,
      schema_version integer not null default 1 check (schema_version > 0),
      data jsonb not null,
      metadata jsonb not null default '{}'::jsonb,
      recorded_at timestamptz not null default now(),
      transaction_id xid8 not null default pg_current_xact_id(),
      prev_hash bytea,
      hash bytea not null,
      unique (stream_id, stream_version)
    )`.execute(db)

  // readAll walks the log in (transaction_id, global_position) order.
  await sql`create index events_transaction_order on events (transaction_id, global_position)`.execute(
    db,
  )

  // The hash of one event: every stored field plus the previous event's hash, so that an
  // edit anywhere in a stream breaks the chain from that event on.
  await sql`
    create function entente_event_hash(
      prev_hash bytea, stream_id text, stream_version integer, event_id uuid, event_type text,
      schema_version integer, data jsonb, metadata jsonb, recorded_at timestamptz
    ) returns bytea language sql stable as $$
      select sha256(convert_to(concat_ws(chr(31),
        coalesce(encode(prev_hash, 'hex'), ''), stream_id, stream_version::text, event_id::text,
        event_type, schema_version::text, data::text, metadata::text,
        to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8'))
    $$`.execute(db)

  // Whoever inserts, the database fixes the recorded time, the transaction id and the chain.
  await sql`
    create function entente_events_before_insert() returns trigger language plpgsql as $$
    begin
      new.recorded_at := now();
      new.transaction_id := pg_current_xact_id();
      if new.stream_version = 1 then
        new.prev_hash := null;
      else
        select e.hash into new.prev_hash from events e
         where e.stream_id = new.stream_id and e.stream_version = new.stream_version - 1;
        if not found then
          raise exception 'stream % has no version %', new.stream_id, new.stream_version - 1
            using errcode = 'ENG01';
        end if;
      end if;
      new.hash := entente_event_hash(new.prev_hash, new.stream_id, new.stream_version,
        new.event_id, new.event_type, new.schema_version, new.data, new.metadata, new.recorded_at);
      return new;
    end $$`.execute(db)
  await sql`
    create trigger events_before_insert before insert on events
      for each row execute function entente_events_before_insert()`.execute(db)

  await sql`
    create function entente_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the event log is append-only: % on events is not allowed', tg_op
        using errcode = 'ENA01';
    end $$`.execute(db)
  await sql`
    create trigger events_no_update_or_delete before update or delete on events
      for each row execute function entente_events_append_only()`.execute(db)
  await sql`
    create trigger events_no_truncate before truncate on events
      for each statement execute function entente_events_append_only()`.execute(db)

  // One append: serialise on the stream (before anything is written, so that transaction ids
  // of one stream's appends follow its version order), replay an identical retry, check the
  // expected version, insert, move the stream head, notify readers.
  await sql`
    create function entente_append_to_stream(
      p_stream_id text, p_expected text, p_events jsonb, p_notify boolean default true
    )
    returns table (
      out_event_id uuid, out_stream_version integer, out_global_position bigint,
      out_transaction_id xid8, out_replayed boolean
    ) language plpgsql as $$
    declare
      v_current integer;
      v_exists boolean;
      v_count integer := jsonb_array_length(p_events);
      v_known integer;
      v_same integer;
    begin
      perform pg_advisory_xact_lock(1162761285, hashtext(p_stream_id));

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
            select e.event_id, e.stream_version, e.global_position, e.transaction_id, true
              from jsonb_array_elements(p_events) x(ev)
              join events e on e.event_id = (x.ev->>'event_id')::uuid
             order by e.stream_version;
          return;
        end if;
        raise exception 'event ids were already used for other content'
          using errcode = 'ENI01',
                detail = json_build_object('streamId', p_stream_id, 'known', v_known,
                                           'identical', v_same, 'sent', v_count)::text;
      end if;

      select s.version into v_current from streams s where s.stream_id = p_stream_id;
      v_exists := found;
      v_current := coalesce(v_current, 0);
      if not (p_expected = 'any'
              or (p_expected = 'no_stream' and not v_exists)
              or (p_expected = 'stream_exists' and v_exists)
              or (p_expected ~ '^[0-9]+$' and p_expected::integer = v_current)) then
        raise exception 'stream % is at version %, expected %', p_stream_id, v_current, p_expected
          using errcode = 'ENC01',
                detail = json_build_object('streamId', p_stream_id, 'expected', p_expected,
                                           'actual', v_current)::text;
      end if;

      return query
        insert into events as e (event_id, stream_id, stream_version, event_type, schema_version,
                                 data, metadata, hash)
        select (x.ev->>'event_id')::uuid, p_stream_id, v_current + x.n::integer,
               x.ev->>'event_type', coalesce((x.ev->>'schema_version')::integer, 1),
               x.ev->'data', coalesce(x.ev->'metadata', '{}'::jsonb), ''::bytea
          from jsonb_array_elements(p_events) with ordinality x(ev, n)
         order by x.n
        returning e.event_id, e.stream_version, e.global_position, e.transaction_id, false;

      insert into streams as s (stream_id, version) values (p_stream_id, v_current + v_count)
        on conflict (stream_id) do update set version = excluded.version, updated_at = now();

      -- Delivered at commit; the payload names the stream, readers query for the rest.
      -- NOTIFY serialises the commits of all notifying transactions (Postgres holds a
      -- database-wide lock from pre-commit to the end of commit), so busy writers pass
      -- p_notify = false and announce appends after commit instead (see connection.ts).
      if p_notify then
        perform pg_notify('entente_events', p_stream_id);
      end if;
    end $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists entente_append_to_stream(text, text, jsonb, boolean)`.execute(
    db,
  )
  await sql`drop table if exists events`.execute(db)
  await sql`drop table if exists streams`.execute(db)
  await sql`drop function if exists entente_events_append_only()`.execute(db)
  await sql`drop function if exists entente_events_before_insert()`.execute(db)
  await sql`drop function if exists entente_event_hash(bytea, text, integer, uuid, text, integer, jsonb, jsonb, timestamptz)`.execute(
    db,
  )
}
