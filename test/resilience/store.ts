// What the fault suites check in the database after a fault: the log against the load
// client's acknowledgements, and the read models against a rebuild from the log.
import type { Test } from 'tap'
import { type EventLogConnection, openPostgres } from '../../src/eventstore/index.js'
import { PROJECTIONS } from '../../src/projections/index.js'
import { projectionReports, requestRebuild } from '../../src/projections/status.js'
import { countEvents } from '../helpers/postgres.js'
import { caughtUp, readModelSnapshot } from '../helpers/projections.js'
import type { Ack } from './load-client.js'

/** A connection of the test's own to the service's database, closed at teardown. */
export function openStore(t: Test, url: string): EventLogConnection {
  const log = openPostgres({ connectionString: url, poolSize: 2, connectTimeoutMs: 5_000 })
  t.teardown(() => log.close())
  return log
}

/** How the log stands against the acknowledgements. */
export interface LogAudit {
  /** Events named in 2xx answers. */
  acknowledged: number
  /** Of those, found in the log once, at the stream, version and position of the answer. */
  found: number
  /** Acknowledged and not in the log. */
  lost: string[]
  /** Acknowledged and in the log more than once, or elsewhere than the answer said. */
  misplaced: string[]
  /** Event ids the log holds more than once (none, if the unique index holds). */
  duplicated: string[]
  /** Events in the log: the acknowledged ones, plus those whose answer never came. */
  inLog: number
}

export async function auditLog(log: EventLogConnection, acks: readonly Ack[]): Promise<LogAudit> {
  const rows = await log.db
    .selectFrom('events')
    .select(['event_id', 'stream_id', 'stream_version', 'global_position'])
    .execute()
  const byId = new Map<string, (typeof rows)[number][]>()
  for (const row of rows) byId.set(row.event_id, [...(byId.get(row.event_id) ?? []), row])
  const audit: LogAudit = {
    acknowledged: 0,
    found: 0,
    lost: [],
    misplaced: [],
    duplicated: [...byId].filter(([, r]) => r.length > 1).map(([id]) => id),
    inLog: rows.length,
  }
  for (const ack of acks)
    for (const event of ack.events) {
      audit.acknowledged++
      const found = byId.get(event.eventId) ?? []
      if (found.length === 0) audit.lost.push(event.eventId)
      else if (
        found.length === 1 &&
        found[0]!.stream_id === ack.streamId &&
        Number(found[0]!.stream_version) === event.streamVersion &&
        Number(found[0]!.global_position) === event.globalPosition
      )
        audit.found++
      else audit.misplaced.push(event.eventId)
    }
  return audit
}

/**
 * Waits until the service's runners have applied every event (each exactly once: a runner
 * counts every event it applies, so a double application would count more than the log
 * holds), then has them rebuild every read model from the log into a new generation, and
 * compares the two. Nothing may be appended meanwhile.
 */
export async function compareWithRebuild(t: Test, log: EventLogConnection): Promise<void> {
  await caughtUp(log)
  const events = await countEvents(log.db)
  const before = await projectionReports(log.db, PROJECTIONS)
  t.same(
    before.map((r) => [r.name, r.eventsApplied]),
    PROJECTIONS.map((p) => [p.name, events]),
    `each read model applied each of the ${events} events once`,
  )
  const live = await readModelSnapshot(log)
  const generations = new Map(before.map((r) => [r.name, r.generation ?? 0]))
  for (const p of PROJECTIONS) await requestRebuild(log.db, p)
  await caughtUp(log, PROJECTIONS, (r) => {
    const report = r as (typeof before)[number]
    return (report.generation ?? 0) > (generations.get(report.name) ?? 0)
  })
  const rebuilt = await readModelSnapshot(log)
  t.ok(
    Object.values(live).some((docs) => docs.length > 0),
    'the read models hold documents',
  )
  t.strictSame(live, rebuilt, 'the read models equal a rebuild from the log')
}
