import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp } from '../api/app.js'
import { ServiceMetrics } from '../api/metrics.js'
import type { EventLogConnection } from '../eventstore/index.js'
import { buildAsyncApiDocument } from '../messaging/asyncapi.js'
import { createFirstAdminKey, databaseKeyStore } from './api-keys.js'
import { createCommandHandler } from './command-handler.js'
import { type Config, DEFAULT_IDEMPOTENCY_RETENTION_MS, describeConfig } from './config.js'
import { openEventLog, pingDatabase, restoredMessage } from './event-log.js'
import { type IdempotencySweep, startIdempotencySweep } from './idempotency-sweep.js'
import { countingAppends, projectionLag } from './metrics.js'
import {
  projectionsElsewhere,
  type RunningProjections,
  startProjections,
  startProjectionThread,
} from './projections.js'
import { type RunningRelay, relayReadiness, startRelay } from './relay.js'
import { VERSION } from './version.js'

export interface RunningService {
  app: FastifyInstance
  log: EventLogConnection
  projections: RunningProjections
  /** The Kafka relay (state `disabled` when KAFKA_BROKERS is unset): for /metrics. */
  relay: Pick<RunningRelay, 'status'>
  /** The address the API listens on, e.g. http://127.0.0.1:3000. */
  url: string
  close(): Promise<void>
}

/** The process's logger: JSON lines on stdout, credentials never written. */
export function createLogger(config: Pick<Config, 'logLevel'>) {
  return pino({
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
  })
}

/**
 * Shows the first admin key on stderr, once, outside the JSON log: logs are collected and
 * kept, and a key must never be in them.
 */
function announceFirstKey(key: string, id: string): void {
  process.stderr.write(
    `\nFirst start: created the admin API key ${id}. It is shown this once:\n\n  ${key}\n\n` +
      'Send it as "Authorization: Bearer <key>"; create narrower keys with `entente keys create`.\n\n',
  )
}

/**
 * The composition root: opens the event log, builds the API on it and listens. Closing stops
 * accepting requests, finishes those in flight, then closes the store.
 */
export async function startService(
  config: Config,
  logger = createLogger(config),
): Promise<RunningService> {
  const metrics = new ServiceMetrics()
  const log = countingAppends(
    await openEventLog(
      config.database,
      (error) => logger.warn({ err: error }, 'event notifications lost; reconnecting'),
      (clock) => logger.warn({ logClock: clock }, restoredMessage(clock)),
    ),
    metrics,
  )
  // On Postgres the runners work on a thread of their own (or in other processes); the
  // embedded store has one thread.
  const projections =
    config.projections === false
      ? projectionsElsewhere(log.db)
      : config.database.kind === 'postgres'
        ? startProjectionThread({
            database: config.database,
            logLevel: config.logLevel,
            batchIntervalMs: config.projectionBatchIntervalMs,
            logger,
            db: log.db,
          })
        : startProjections(log, logger, { batchIntervalMs: config.projectionBatchIntervalMs })
  const relay = startRelay(config, log, logger)
  let app: FastifyInstance
  let url: string
  let sweep: IdempotencySweep | undefined
  try {
    const keys = databaseKeyStore(log.db)
    if (log.backend === 'pglite') {
      const first = await createFirstAdminKey(keys, config.adminKey !== undefined)
      if (first) announceFirstKey(first.key, first.record.id)
    }
    app = await buildApp({
      logger,
      readiness: [
        { name: 'database', check: () => pingDatabase(log) },
        { name: 'projections', check: () => projections.check() },
        relayReadiness(relay),
      ],
      version: VERSION,
      keys,
      adminKey: config.adminKey,
      rateLimits: { ...config.rateLimits, windowMs: 60_000 },
      metrics,
      projectionLag: projectionLag(log),
      projectionRoles: () => projections.roles(),
      relayStatus: () => relay.status(),
      api: {
        log,
        handle: createCommandHandler({ log }),
        documentCacheBytes: config.readCacheBytes,
      },
      asyncApi: buildAsyncApiDocument({ version: VERSION, kafka: config.kafka }),
    })
    url = await app.listen({ port: config.port, host: config.host })
    sweep = startIdempotencySweep({
      db: log.db,
      retentionMs: config.idempotencyRetentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS,
      onSwept: (count) => {
        if (count > 0) logger.info({ count }, 'forgot expired idempotency keys')
      },
      onError: (err) => logger.warn({ err }, 'idempotency key sweep failed; trying again later'),
    })
  } catch (error) {
    await relay.stop()
    await projections.stop()
    await log.close()
    throw error
  }
  logger.info({ config: describeConfig(config), url }, 'entente is serving')
  return {
    app,
    log,
    projections,
    relay,
    url,
    /** Stops accepting requests, finishes those in flight, stops the runners, closes the store. */
    async close() {
      await app.close()
      await sweep?.stop()
      await relay.stop()
      await projections.stop()
      await log.close()
    },
  }
}

/** Runs the service until SIGINT/SIGTERM, then shuts down gracefully (10 s at most). */
export async function serve(config: Config): Promise<void> {
  const logger = createLogger(config)
  const service = await startService(config, logger)
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error')
    else logger.info({ signal }, 'shutting down')
    await service.close()
  })
}
