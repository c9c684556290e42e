import type { OutgoingHttpHeaders } from 'node:http'
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
  {
    projections = true,
    wrapLog,
  }: {
    projections?: boolean
    /** The log the routes see, e.g. one that counts queries. */
    wrapLog?: (log: EventLogConnection) => EventLogConnection
  } = {},
): Promise<TestApi> {
  const log = await openTestPostgres(t)
  const running = projections ? startProjections(log, quiet) : undefined
  const app = await buildApp({
    readiness: [],
    adminKey: TEST_ADMIN_KEY,
    rateLimits: false,
    api: { log: wrapLog ? wrapLog(log) : log, ...api },
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
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are read loosely in tests
type Body = any

export interface Answer {
  status: number
  body: Body
  headers: OutgoingHttpHeaders
}

/** POSTs JSON with the admin key (and any other headers) through `inject`. */
export function poster(api: Pick<TestApi, 'app' | 'headers'>) {
  return async (
    url: string,
    payload: object,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await api.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { ...api.headers, ...headers },
    })
    return { status: response.statusCode, body: response.json(), headers: response.headers }
  }
}

/** GETs with the admin key through `inject`; the body parsed when it is JSON. */
export function getter(api: Pick<TestApi, 'app' | 'headers'>) {
  return async (
    url: string,
    headers: Record<string, string> = {},
  ): Promise<Answer & { text: string }> => {
    const response = await api.app.inject({
      method: 'GET',
      url,
      headers: { ...api.headers, ...headers },
    })
    const json = /json/.test(String(response.headers['content-type']))
    return {
      status: response.statusCode,
      body: json ? response.json() : undefined,
      text: response.body,
      headers: response.headers,
    }
  }
}

/** Checks the problem+json shape of a refusal: its type, status, code and request id. */
export function isProblem(t: Test, response: Answer, code: string): void {
  t.match(response.headers['content-type'], /^application\/problem\+json/, `${code}: problem+json`)
  t.match(response.body, {
    type: `urn:entente:problem:${code}`,
    title: String,
    status: response.status,
    code,
    requestId: String,
  })
  t.notMatch(JSON.stringify(response.body), /\bat \/|\.ts:\d|select |insert /i, 'no internals')
}
