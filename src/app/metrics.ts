import type { ProjectionLag, ServiceMetrics } from '../api/metrics.js'
import type { EventLogConnection } from '../eventstore/index.js'
import { PROJECTIONS } from '../projections/index.js'
import { projectionReports } from '../projections/status.js'

/** The same log, counting the events that each append adds (replays add none). */
export function countingAppends(
  log: EventLogConnection,
  metrics: ServiceMetrics,
): EventLogConnection {
  return {
    ...log,
    async append(streamId, events, expected) {
      const result = await log.append(streamId, events, expected)
      if (!result.replayed) metrics.eventsAppended(events.length)
      return result
    },
  }
}

/** Every read model's lag behind the head of the log, as stored by the runners. */
export function projectionLag(log: EventLogConnection): () => Promise<ProjectionLag[]> {
  return async () =>
    (await projectionReports(log.db, PROJECTIONS)).map((report) => ({
      name: report.name,
      status: report.status,
      lagEvents: report.lag.events,
      lagSeconds: report.lag.seconds,
    }))
}
