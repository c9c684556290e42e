import { randomUUID } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { Authenticator } from './auth/authenticator.js'
import { type ApiKeyStore, memoryKeyStore } from './auth/key-store.js'
import { registerAuth } from './auth/plugin.js'
import { registerCorrelation } from './correlation.js'
import { registerInputGuard } from './input-guard.js'
import {
  type MetricsSources,
  metricsRoutes,
  registerRequestMetrics,
  ServiceMetrics,
} from './metrics.js'
import { registerOpenApi } from './openapi.js'
import { clientErrorHandler, Problem, registerProblemHandlers, sendProblem } from './problem.js'
import { adminKeyRoutes } from './routes/admin-keys.js'
import { asyncApiRoutes } from './routes/asyncapi.js'
import { healthRoutes, type ReadinessCheck } from './routes/health.js'
import { DEFAULT_RATE_LIMITS, type RateLimits, registerSecurity } from './security.js'
import { type ApiOptions, documentCacheOf, registerV1 } from './v1.js'

export interface AppOptions {
  /** A pino logger; no logs when absent (tests). */
  logger?: FastifyBaseLogger
  readiness: ReadinessCheck[]
  version?: string
  /** Where API keys are kept. Absent: none are stored, only `adminKey` opens the API. */
  keys?: ApiKeyStore
  /** An admin key given to the process (ENTENTE_ADMIN_KEY), checked but never stored. */
  adminKey?: string
  /** How long a looked-up key is remembered (default 5 s; 0 in tests that revoke directly). */
  keyCacheMs?: number
  /** Per key and per address; `false` turns rate limiting off (benchmarks). */
  rateLimits?: RateLimits | false
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number
  /** Where request latencies and appends are counted; a registry of its own when absent. */
  metrics?: ServiceMetrics
  /** The read models' lag, for `/metrics`. */
  projectionLag?: MetricsSources['projectionLag']
  /** Which read models this process's runners keep, for `/metrics`. */
  projectionRoles?: MetricsSources['projectionRoles']
  /** The Kafka relay's progress, for `/metrics` (absent when the relay is off). */
  relayStatus?: MetricsSources['relayStatus']
  /** The event log behind the /v1 routes; without it only health and admin routes exist. */
  api?: ApiOptions
  /** The AsyncAPI document of the event stream, served at /asyncapi.json when given. */
  asyncApi?: Record<string, unknown>
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/
const MAX_PARAM_LENGTH = 1_000

/**
 * Builds the HTTP app: error handling, security headers, rate limits and API keys, OpenAPI,
 * then the route plugins. Listening and shutting down belong to the caller
 * (`src/app/serve.ts`, or tests with `inject`).
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? 1_048_576,
    // Keep a caller's request id when it looks like one, so logs line up across systems.
    genReqId: (request) => {
      const header = request.headers['x-request-id']
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID()
    },
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
    // Path parameters are checked by each route's schema (ids up to 128 characters, stream
    // ids up to 301), which names the field; the router only turns away absurd lengths.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // What Node's HTTP parser refuses (bad header lines, headers over 16 KiB) is a problem too.
    clientErrorHandler,
    // A path the router cannot decode or a parameter over that length is refused before any
    // route runs: a problem like every other refusal, not Fastify's own JSON.
    frameworkErrors: (error, request, reply) => {
      if (error.statusCode === 414)
        return void sendProblem(request, reply, 414, 'uri-too-long', 'a path segment is too long')
      void sendProblem(request, reply, 400, 'invalid-request', 'the path is not valid', [
        { field: '/params', rule: 'uri-encoding', message: 'must be percent-encoded UTF-8' },
      ])
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  // Once closing, answers end their connection: a kept-alive idle socket would otherwise hold
  // the shutdown for the whole keep-alive timeout (72 s).
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id)
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })
  app.addSchema(Problem)
  registerProblemHandlers(app)
  registerInputGuard(app)
  registerCorrelation(app)
  const metrics = options.metrics ?? new ServiceMetrics({ processMetrics: false })
  registerRequestMetrics(app, metrics)

  const keys = options.keys ?? memoryKeyStore()
  const authenticator = new Authenticator({
    keys,
    adminKey: options.adminKey,
    cacheMs: options.keyCacheMs,
  })
  // Order matters: the rate limiter's hook must come before the scope check on each route.
  await registerSecurity(app, authenticator, options.rateLimits ?? DEFAULT_RATE_LIMITS)
  registerAuth(app, authenticator)

  await registerOpenApi(app, options.version ?? '0.0.0')
  await app.register(healthRoutes, { checks: options.readiness })
  await app.register(adminKeyRoutes, { keys, authenticator })
  const documents = options.api ? documentCacheOf(app, options.api) : undefined
  await app.register(metricsRoutes, {
    metrics,
    sources: {
      projectionLag: options.projectionLag,
      projectionRoles: options.projectionRoles,
      relayStatus: options.relayStatus,
      documentCache: documents && (() => documents.stats()),
    },
  })
  if (options.api) await registerV1(app, options.api, documents)
  if (options.asyncApi) await app.register(asyncApiRoutes, { document: options.asyncApi })
  return app
}
