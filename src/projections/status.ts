import type { Kysely } from 'kysely'
import { type Database, type Lag, lagBehind } from '../eventstore/index.js'
import type { ProjectionStatus } from '../eventstore/schema.js'
import type { Projection } from './projection.js'

export interface ProjectionReport {
  name: string
  /** The version of the stored model, and the version this code would build. */
  version: number | null
  codeVersion: number
  status: ProjectionStatus | 'not-started'
  generation: number | null
  checkpoint: { transactionId: string; globalPosition: number } | null
  eventsApplied: number
  lag: Lag
  error: unknown
  rebuild: { generation: number; eventsDone: number; startedAt: string | null } | null
}

/** Every projection's state, lag behind the head of the log, and failure if any. */
export async function projectionReports(
  db: Kysely<Database>,
  projections: readonly Projection[],
): Promise<ProjectionReport[]> {
  const rows = await db.selectFrom('projections').selectAll().execute()
  const byName = new Map(rows.map((r) => [r.name, r]))
  return Promise.all(
    projections.map(async (projection) => {
      const row = byName.get(projection.name)
      const checkpoint = row
        ? {
            transactionId: String(row.checkpoint_transaction_id),
            globalPosition: Number(row.checkpoint_position),
          }
        : { transactionId: '0', globalPosition: 0 }
      return {
        name: projection.name,
        version: row?.version ?? null,
        codeVersion: projection.version,
        status: row?.status ?? 'not-started',
        generation: row?.active_generation ?? null,
        checkpoint: row ? checkpoint : null,
        eventsApplied: Number(row?.events_applied ?? 0),
        lag: await lagBehind(db, checkpoint),
        error: row?.error ?? null,
        rebuild:
          row?.rebuild_generation != null
            ? {
                generation: row.rebuild_generation,
                eventsDone: Number(row.rebuild_events_done ?? 0),
                startedAt: row.rebuild_started_at?.toISOString() ?? null,
              }
            : null,
      }
    }),
  )
}

/** Asks the active runner (in whichever process) to rebuild a projection from the log. */
export async function requestRebuild(db: Kysely<Database>, projection: Projection) {
  await db
    .insertInto('projections')
    .values({ name: projection.name, version: projection.version, rebuild_requested: true })
    .onConflict((oc) => oc.column('name').doUpdateSet({ rebuild_requested: true }))
    .execute()
}
