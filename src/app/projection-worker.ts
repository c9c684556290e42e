import { parentPort, workerData } from 'node:worker_threads'
import { pino } from 'pino'
import { openPostgres } from '../eventstore/index.js'
import type { LogLevel } from './config.js'
import { startProjections } from './projections.js'

/** What the service gives its projection thread. */
export interface ProjectionWorkerData {
  url: string
  poolSize: number
  connectTimeoutMs?: number
  logLevel: LogLevel
  batchIntervalMs?: number
}

/** Messages from the projection thread: its runners' roles, and that it has stopped. */
export type ProjectionWorkerMessage =
  | { type: 'roles'; roles: { name: string; active: boolean }[] }
  | { type: 'stopped' }

/**
 * The projection thread of `entente serve` on Postgres (see `startProjectionThread`): the
 * read-model runners on a connection pool of their own, off the thread that answers HTTP.
 * The log is already migrated by the service. Readers in the service hear of the documents a
 * batch changed through Postgres (each batch notifies them), as readers in another process do.
 */
const data = workerData as ProjectionWorkerData
const port = parentPort!
const logger = pino({ level: data.logLevel }).child({ thread: 'projections' })
const log = openPostgres({
  connectionString: data.url,
  poolSize: data.poolSize,
  connectTimeoutMs: data.connectTimeoutMs,
  onListenError: (error) => logger.warn({ err: error }, 'event notifications lost; reconnecting'),
})
const running = startProjections(log, logger, { batchIntervalMs: data.batchIntervalMs })
const report = () =>
  port.postMessage({
    type: 'roles',
    roles: running.runners.map((runner) => ({
      name: runner.name,
      active: runner.role === 'active',
    })),
  } satisfies ProjectionWorkerMessage)
report()
const reporting = setInterval(report, 250)

port.on('message', (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return
  clearInterval(reporting)
  void running
    .stop()
    .then(() => log.close())
    .catch((err: unknown) => logger.error({ err }, 'stopping the projection thread failed'))
    .finally(() => port.postMessage({ type: 'stopped' } satisfies ProjectionWorkerMessage))
})
