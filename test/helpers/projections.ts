import type { EventLogConnection } from '../../src/eventstore/index.js'
import { PROJECTIONS } from '../../src/projections/index.js'
import type { Projection } from '../../src/projections/projection.js'
import { projectionReports } from '../../src/projections/status.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Waits until every projection runs and has applied every committed event (a runner counts
 * each event it reads, whether its model handles that type or not). Lag alone is not enough:
 * readers wait for older transactions of other databases on the server (other suites), and a
 * lag of 0 can mean the newest events are not visible yet.
 */
export async function caughtUp(
  log: EventLogConnection,
  projections: readonly Projection[] = PROJECTIONS,
  ready: (report: { generation: number | null }) => boolean = () => true,
) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const total = Number(
      (
        await log.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
    const reports = await projectionReports(log.db, projections)
    if (
      reports.every(
        (r) =>
          r.status === 'running' && r.rebuild === null && r.eventsApplied === total && ready(r),
      )
    )
      return
    await sleep(50)
  }
  throw new Error('projections did not catch up')
}
