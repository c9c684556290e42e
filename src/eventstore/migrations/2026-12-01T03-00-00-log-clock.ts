import { type Kysely, sql } from 'kysely'

/**
 * Transaction ids that survive a restore. The log is read in (transaction_id, global_position)
 * order up to the oldest running transaction (see read-all.ts). A dump restored into another
 * server (pg_dump / pg_restore) keeps the events' transaction ids, but that server counts its
 * own transactions from wherever it stands, often far below: new events would sort before the
 * restored ones, and readers past them would never see them.
 *
 * So an event's transaction_id is the server's transaction id plus an offset, kept in
 * `log_clock` with the identity of the server it belongs to (`system_identifier`, fixed at
 * initdb, the same on a physical copy or replica, whose transaction ids go on). The first
 * append on any other server, or `settleLogClock` at start, finds the identity changed and,
 * under a lock, moves the offset so that every id from then on is above every id in the log.
 * Readers see events up to the oldest running transaction plus the offset: everything, while
 * this server has appended nothing (all the events then come from the old server, committed).
 * Global positions jump a billion at such a restore, so that positions handed out by the old
 * server after the backup (lost with it) are never given to other events.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table log_clock (
      singleton boolean primary key default true check (singleton),
      system_identifier bigint not null,
      xid_offset numeric(20, 0) not null check (xid_offset >= 0),
      restores integer not null default 0,
      previous_system_identifier bigint,
      updated_at timestamptz not null default now()
    )`.execute(db)

  // The offset that this server's transaction ids get in the log, fixed first when the log
  // came from another server. The advisory lock makes one transaction do it; the others wait,
  // then find it done. No event of this server can exist before then (each append comes
  // here first), so every running and future transaction gets an id above the log's highest.
  await sql`
    create function entente_log_offset() returns numeric language plpgsql as $$
    declare
      -- The server of a session never changes: read from pg_control once per session.
      v_system bigint := nullif(current_setting('entente.system_identifier', true), '')::bigint;
      v_offset numeric;
      v_previous bigint;
      v_max numeric;
      v_xmin numeric;
    begin
      if v_system is null then
        v_system := (select c.system_identifier from pg_control_system() c);
        perform set_config('entente.system_identifier', v_system::text, false);
      end if;
      select l.xid_offset into v_offset from log_clock l where l.system_identifier = v_system;
      if found then
        return v_offset;
      end if;
      perform pg_advisory_xact_lock(1162761287, 0);
      select l.xid_offset into v_offset from log_clock l where l.system_identifier = v_system;
      if found then
        return v_offset;
      end if;
      select l.system_identifier into v_previous from log_clock l;
      select e.transaction_id::text::numeric into v_max from events e
       order by e.transaction_id desc limit 1;
      v_xmin := pg_snapshot_xmin(pg_current_snapshot())::text::numeric;
      v_offset := greatest(0, coalesce(v_max, 0) + 1 - v_xmin);
      -- Positions the old server gave out after the backup are lost with it, but clients may
      -- hold them as cursors: skip a billion, so that such a cursor names no event (refused)
      -- rather than a new one (which would silently skip what came before it).
      if v_previous is not null then
        perform setval(pg_get_serial_sequence('events', 'global_position'),
          coalesce((select max(e.global_position) from events e), 0) + 1000000000);
      end if;
      insert into log_clock as l (system_identifier, xid_offset, restores, previous_system_identifier)
      values (v_system, v_offset, case when v_previous is null then 0 else 1 end, v_previous)
      on conflict (singleton) do update
        set system_identifier = excluded.system_identifier, xid_offset = excluded.xid_offset,
            restores = l.restores + 1, previous_system_identifier = l.system_identifier,
            updated_at = now();
      return v_offset;
    end $$`.execute(db)

  // The bound of what readers may see: events of transactions older than every running one.
  // Past every event while this server has not appended yet (they all came committed).
  await sql`
    create function entente_log_horizon() returns xid8 language sql stable as $$
      select coalesce(
        (select (pg_snapshot_xmin(pg_current_snapshot())::text::numeric + l.xid_offset)::text::xid8
           from log_clock l
          where l.system_identifier = (select c.system_identifier from pg_control_system() c)),
        '18446744073709551615'::xid8)
    $$`.execute(db)

  // As in the first migration, with the transaction id taken through the log's clock. The
  // offset cannot change under a transaction once it has one: looked up once per transaction
  // (a transaction-local setting), not per row.
  await sql`
    create or replace function entente_events_before_insert() returns trigger language plpgsql as $$
    declare
      v_offset numeric := nullif(current_setting('entente.log_offset', true), '')::numeric;
    begin
      if v_offset is null then
        v_offset := entente_log_offset();
        perform set_config('entente.log_offset', v_offset::text, true);
      end if;
      new.recorded_at := now();
      new.transaction_id := case when v_offset = 0 then pg_current_xact_id()
        else (pg_current_xact_id()::text::numeric + v_offset)::text::xid8 end;
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

  // A store migrated here may itself be a restore of an older schema's dump: settle at once.
  await sql`select entente_log_offset()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function entente_events_before_insert() returns trigger language plpgsql as $$
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
  await sql`drop function entente_log_horizon()`.execute(db)
  await sql`drop function entente_log_offset()`.execute(db)
  await sql`drop table log_clock`.execute(db)
}
