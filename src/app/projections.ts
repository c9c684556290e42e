import { Worker } from 'node:worker_threads'
import type { Kysely } from 'kysely'
import type { Database, EventLogConnection } from '../eventstore/index.js'
import { PROJECTIONS } from '../projections/index.js'
import type { Projection } from '../projections/projection.js'
import { ProjectionRunner, type RebuildProgress, type RunnerLogger } from '../projections/runner.js'
import { projectionReports } from '../projections/status.js'
import type { ProjectionWorkerData, ProjectionWorkerMessage } from './projection-worker.js'

export interface RunningProjections {
  /** Each read model's runner in this process, and whether it holds the projection's lock. */
  roles(): { name: string; active: boolean }[]
  /** Ready unless a projection is stopped at an event it cannot apply. */
  check(): Promise<void>
  stop(): Promise<void>
}

/** Ready unless a projection is stopped at an event it cannot apply. */
async function checkProjections(db: Kysely<Database>, projections: readonly Projection[]) {
  const failed = (await projectionReports(db, projections)).filter((r) => r.status === 'failed')
  if (failed.length > 0)
    throw new Error(`stopped at an event it cannot apply: ${failed.map((f) => f.name).join(', ')}`)
}

/**
 * Starts a runner per read model. In every process: only the one holding a projection's lock
 * works on it, the others stand by to take over.
 */
export function startProjections(
  log: EventLogConnection,
  logger: RunnerLogger,
  options: {
    projections?: readonly Projection[]
    onRebuildProgress?: (progress: RebuildProgress) => void
    /** See `RunnerOptions.batchIntervalMs`. */
    batchIntervalMs?: number
    /** See `RunnerOptions.rebuildBatchSize` (default: each projection's own). */
    rebuildBatchSize?: number
  } = {},
): RunningProjections & { runners: ProjectionRunner[] } {
  const {
    projections = PROJECTIONS,
    onRebuildProgress,
    batchIntervalMs,
    rebuildBatchSize,
  } = options
  const runners = projections.map((projection) =>
    new ProjectionRunner({
      log,
      projection,
      logger,
      onRebuildProgress,
      batchIntervalMs,
      rebuildBatchSize,
    }).start(),
  )
  return {
    runners,
    roles: () => runners.map((runner) => ({ name: runner.name, active: runner.role === 'active' })),
    check: () => checkProjections(log.db, projections),
    async stop() {
      await Promise.all(runners.map((runner) => runner.stop()))
    },
  }
}

/**
 * The projections of a process that leaves them to others (`PROJECTIONS=off`: API instances
 * beside `entente projections run`): no runners here; readiness still reads their status.
 */
export function projectionsElsewhere(db: Kysely<Database>): RunningProjections {
  return {
    roles: () => [],
    check: () => checkProjections(db, PROJECTIONS),
    async stop() {},
  }
}

/** What the projection thread needs: see `startProjectionThread`. */
export interface ProjectionThreadOptions {
  database: { url: string; poolSize: number; connectTimeoutMs?: number }
  logLevel: ProjectionWorkerData['logLevel']
  /** See `RunnerOptions.batchIntervalMs`. */
  batchIntervalMs?: number
  logger: RunnerLogger
  /** The service's own connection: readiness reads the projections' status through it. */
  db: Kysely<Database>
}

/**
 * Starts the read-model runners on a thread of their own (`projection-worker.ts`), with a
 * connection pool of their own: folding events and writing documents then never holds up the
 * thread that answers HTTP. For a service on Postgres; the embedded store belongs to one
 * thread. A thread that dies is started again a second later; its locks went with its
 * connections, so this or another process takes the projections over.
 */
export function startProjectionThread(options: ProjectionThreadOptions): RunningProjections {
  const { database, logLevel, batchIntervalMs, logger, db } = options
  let roles = PROJECTIONS.map((p) => ({ name: p.name, active: false }))
  let stopping = false
  let alive = false
  let worker: Worker
  let stopped: () => void = () => {}
  // The thread's module, run through tsx as the service's own sources are.
  const source = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./projection-worker.ts', import.meta.url).href)}) })`
  const start = () => {
    worker = new Worker(source, {
      eval: true,
      workerData: {
        url: database.url,
        // A runner uses one connection at a time; its lock and the listener have their own.
        poolSize: Math.min(database.poolSize, PROJECTIONS.length + 1),
        connectTimeoutMs: database.connectTimeoutMs,
        logLevel,
        batchIntervalMs,
      } satisfies ProjectionWorkerData,
    })
    alive = true
    worker.on('message', (message: ProjectionWorkerMessage) => {
      if (message.type === 'roles') roles = message.roles
      else stopped()
    })
    worker.on('error', (err) => logger.error({ err }, 'the projection thread failed'))
    worker.on('exit', (code) => {
      alive = false
      roles = roles.map((r) => ({ ...r, active: false }))
      stopped()
      if (stopping) return
      logger.error({ code }, 'the projection thread ended; starting it again in 1 s')
      setTimeout(() => {
        if (!stopping) start()
      }, 1_000).unref()
    })
  }
  start()
  return {
    roles: () => roles,
    check: () => checkProjections(db, PROJECTIONS),
    async stop() {
      if (stopping) return
      stopping = true
      // The runners finish the batch in hand and give their locks back, then the thread ends.
      if (!alive) return
      await new Promise<void>((resolve) => {
        stopped = resolve
        worker.postMessage({ type: 'stop' })
      })
      await worker.terminate()
    },
  }
}
