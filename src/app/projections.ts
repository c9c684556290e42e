import type { EventLogConnection } from '../eventstore/index.js'
import { PROJECTIONS } from '../projections/index.js'
import type { Projection } from '../projections/projection.js'
import { ProjectionRunner, type RebuildProgress, type RunnerLogger } from '../projections/runner.js'
import { projectionReports } from '../projections/status.js'

export interface RunningProjections {
  runners: ProjectionRunner[]
  /** Ready unless a projection is stopped at an event it cannot apply. */
  check(): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts a runner per read model. In every process: only the one holding a projection's lock
 * works on it, the others stand by to take over.
 */
export function startProjections(
  log: EventLogConnection,
  logger: RunnerLogger,
  projections: readonly Projection[] = PROJECTIONS,
  onRebuildProgress?: (progress: RebuildProgress) => void,
): RunningProjections {
  const runners = projections.map((projection) =>
    new ProjectionRunner({ log, projection, logger, onRebuildProgress }).start(),
  )
  return {
    runners,
    async check() {
      const failed = (await projectionReports(log.db, projections)).filter(
        (r) => r.status === 'failed',
      )
      if (failed.length > 0)
        throw new Error(
          `stopped at an event it cannot apply: ${failed.map((f) => f.name).join(', ')}`,
        )
    },
    async stop() {
      await Promise.all(runners.map((runner) => runner.stop()))
    },
  }
}
