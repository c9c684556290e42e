import type { JsonObject } from '../../src/domain/json.js'
import type { EventLogConnection } from '../../src/eventstore/index.js'
import { PROJECTIONS } from '../../src/projections/index.js'
import type { Projection } from '../../src/projections/projection.js'
import { projectionReports } from '../../src/projections/status.js'
import { countEvents } from './postgres.js'

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
    const total = await countEvents(log.db)
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

/**
 * Every read model's documents and rows of its active generation, in a stable order; with
 * `parts`, the parts of documents stored in parts too (`Projection.parts`), as stored.
 */
export async function readModelSnapshot(log: EventLogConnection, { parts = false } = {}) {
  const out: Record<string, JsonObject[]> = {}
  for (const p of PROJECTIONS) {
    const docs = await log.db
      .selectFrom('projection_documents as d')
      .innerJoin('projections as p', (j) =>
        j.onRef('p.name', '=', 'd.projection').onRef('p.active_generation', '=', 'd.generation'),
      )
      .select(['d.kind', 'd.id', 'd.doc'])
      .where('d.projection', '=', p.name)
      .orderBy('d.kind')
      .orderBy('d.id')
      .execute()
    const rows = await log.db
      .selectFrom('projection_rows as r')
      .innerJoin('projections as p', (j) =>
        j.onRef('p.name', '=', 'r.projection').onRef('p.active_generation', '=', 'r.generation'),
      )
      .select(['r.kind', 'r.id', 'r.doc', 'r.earliest', 'r.latest', 'r.countries', 'r.people'])
      .where('r.projection', '=', p.name)
      .orderBy('r.kind')
      .orderBy('r.id')
      .execute()
    const stored = !parts
      ? []
      : await log.db
          .selectFrom('projection_document_parts as d')
          .innerJoin('projections as p', (j) =>
            j
              .onRef('p.name', '=', 'd.projection')
              .onRef('p.active_generation', '=', 'd.generation'),
          )
          .select(['d.kind', 'd.id', 'd.field', 'd.part', 'd.items'])
          .where('d.projection', '=', p.name)
          .orderBy('d.kind')
          .orderBy('d.id')
          .orderBy('d.part')
          .execute()
    out[p.name] = [...docs, ...stored, ...rows] as unknown as JsonObject[]
  }
  return out
}
