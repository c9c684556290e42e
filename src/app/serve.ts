import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp } from '../api/app.js'
import type { EventLogConnection } from '../eventstore/index.js'
import { buildAsyncApiDocument } from '../messaging/asyncapi.js'
import { type Config, describeConfig } from './config.js'
import { openEventLog, pingDatabase } from './event-log.js'
import { startProjections } from './projections.js'
import { type RunningRelay, relayReadiness, startRelay } from './relay.js'
import { VERSION } from './version.js'

export interface RunningService {
  app: FastifyInstance
  log: EventLogConnection
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
 * The composition root: opens the event log, builds the API on it and listens. Closing stops
 * accepting requests, finishes those in flight, then closes the store.
 */
export async function startService(
  config: Config,
  logger = createLogger(config),
): Promise<RunningService> {
  const log = await openEventLog(config.database, (error) =>
    logger.warn({ err: error }, 'event notifications lost; reconnecting'),
  )
  const projections = startProjections(log, logger)
  const relay = startRelay(config, log, logger)
  let app: FastifyInstance
  let url: string
  try {
    app = await buildApp({
      logger,
      readiness: [
        { name: 'database', check: () => pingDatabase(log) },
        { name: 'projections', check: () => projections.check() },
        relayReadiness(relay),
      ],
      version: VERSION,
      asyncApi: buildAsyncApiDocument({ version: VERSION, kafka: config.kafka }),
    })
    url = await app.listen({ port: config.port, host: config.host })
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
    relay,
    url,
    async close() {
      await app.close()
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
