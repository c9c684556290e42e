import { randomUUID } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { registerOpenApi } from './openapi.js'
import { Problem, registerProblemHandlers } from './problem.js'
import { asyncApiRoutes } from './routes/asyncapi.js'
import { healthRoutes, type ReadinessCheck } from './routes/health.js'

export interface AppOptions {
  /** A pino logger; no logs when absent (tests). */
  logger?: FastifyBaseLogger
  readiness: ReadinessCheck[]
  version?: string
  /** The AsyncAPI document of the event stream, served at /asyncapi.json when given. */
  asyncApi?: Record<string, unknown>
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Builds the HTTP app: error handling, OpenAPI, then the route plugins. Listening and
 * shutting down belong to the caller (`src/app/serve.ts`, or tests with `inject`).
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 1_048_576,
    // Keep a caller's request id when it looks like one, so logs line up across systems.
    genReqId: (request) => {
      const header = request.headers['x-request-id']
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID()
    },
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addSchema(Problem)
  registerProblemHandlers(app)
  await registerOpenApi(app, options.version ?? '0.0.0')
  await app.register(healthRoutes, { checks: options.readiness })
  if (options.asyncApi) await app.register(asyncApiRoutes, { document: options.asyncApi })
  return app
}
