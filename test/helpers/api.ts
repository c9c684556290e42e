import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { buildApp } from '../../src/api/app.js'
import type { ApiOptions } from '../../src/api/v1.js'
import { startProjections } from '../../src/app/projections.js'
import type { EventLogConnection } from '../../src/eventstore/index.js'
import type { RunnerLogger } from '../../src/projections/runner.js'
import { bearer, TEST_ADMIN_KEY } from './api-keys.js'
import { openTestPostgres } from './postgres.js'

export interface TestApi {
  app: FastifyInstance
  log: EventLogConnection & { url: string }
  /** The admin key's Authorization header. */
  headers: { authorization: string }
}

const quiet: RunnerLogger = { warn() {}, info() {}, error() {} }

/**
 * The whole API on a fresh database of the real Postgres server, with the read models running
 * and an admin key; closed at teardown. `api` overrides options of the /v1 routes.
 */
export async function openTestApi(
  t: Test,
  api: Partial<ApiOptions> = {},
  { projections = true } = {},
): Promise<TestApi> {
  const log = await openTestPostgres(t)
  const running = projections ? startProjections(log, quiet) : undefined
  const app = await buildApp({
    readiness: [],
    adminKey: TEST_ADMIN_KEY,
    rateLimits: false,
    api: { log, ...api },
  })
  t.teardown(async () => {
    await app.close()
    await running?.stop()
  })
  return { app, log, headers: bearer(TEST_ADMIN_KEY) }
}

/** Waits until `read` gives something `done` accepts (a read model caught up), or fails. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
