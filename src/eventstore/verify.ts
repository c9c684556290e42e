import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

export type BrokenLinkReason =
  /** The stored hash is not the hash of the stored fields: the row was altered. */
  | 'hash-mismatch'
  /** prev_hash is not the previous event's hash: an event was altered, removed or inserted. */
  | 'chain-broken'
  /** The stream's versions do not run 1, 2, 3 … */
  | 'version-gap'
  /** The stream's head version differs from its last event: events were removed at the end. */
  | 'head-mismatch'

export interface BrokenLink {
  streamId: string
  streamVersion: number
  globalPosition: number | null
  reason: BrokenLinkReason
}

export interface VerifyReport {
  ok: boolean
  eventsChecked: number
  streamsChecked: number
  /** The first broken link of each broken stream (at most `maxReported`), in stream order. */
  broken: BrokenLink[]
}

/**
 * Recomputes every event's hash and checks each stream's chain and head, in SQL so that the
 * hash function is the very one that wrote them. Reports the first broken link per stream.
 *
 * @example
 * const report = await verify(db, { streamId: 'visit-42' })
 * if (!report.ok) console.log(report.broken[0])
 */
export async function verify(
  db: Kysely<Database>,
  options: { streamId?: string; maxReported?: number } = {},
): Promise<VerifyReport> {
  const { streamId, maxReported = 100 } = options
  const onStream = streamId === undefined ? sql`true` : sql`stream_id = ${streamId}`
  const onHead = streamId === undefined ? sql`true` : sql`s.stream_id = ${streamId}`
  const checked = await sql<{
    stream_id: string
    stream_version: number
    global_position: number | null
    reason: BrokenLinkReason
    events_checked: number
    streams_checked: number
  }>`
    with checked as (
      select stream_id, stream_version, global_position,
        case
          when hash is distinct from entente_event_hash(prev_hash, stream_id, stream_version,
                 event_id, event_type, schema_version, data, metadata, recorded_at)
            then 'hash-mismatch'
          when stream_version <> coalesce(lag(stream_version) over w, 0) + 1 then 'version-gap'
          when prev_hash is distinct from lag(hash) over w then 'chain-broken'
        end as reason
      from events where ${onStream}
      window w as (partition by stream_id order by stream_version)
    ),
    heads as (
      select s.stream_id, s.version, max(e.stream_version) as last_version
        from streams s left join events e using (stream_id)
       where ${onHead}
       group by s.stream_id, s.version
    ),
    broken as (
      (select distinct on (stream_id) stream_id, stream_version, global_position, reason
         from checked where reason is not null
        order by stream_id, stream_version)
      union all
      (select stream_id, version, null, 'head-mismatch' from heads
        where last_version is distinct from version)
    )
    select b.*, (select count(*) from checked) as events_checked,
           (select count(*) from heads) as streams_checked
      from (select 1) one
      left join (select * from broken order by stream_id, stream_version limit ${maxReported}) b
        on true`.execute(db)
  const first = checked.rows[0]
  const broken = checked.rows
    .filter((row) => row.stream_id !== null)
    .map((row) => ({
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      globalPosition: row.global_position,
      reason: row.reason,
    }))
  return {
    ok: broken.length === 0,
    eventsChecked: Number(first?.events_checked ?? 0),
    streamsChecked: Number(first?.streams_checked ?? 0),
    broken,
  }
}
