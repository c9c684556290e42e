import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

/** Something the service needs in order to serve (the database), or reports on (the relay). */
export interface ReadinessCheck {
  name: string
  /** Resolves when healthy (with a string: a line of detail); rejects (or times out) when not. */
  check(): Promise<unknown>
  /**
   * False for what is reported but does not make the service unavailable: the Kafka relay,
   * since commands are accepted while the broker is away. Default true.
   */
  critical?: boolean
}

const CheckResult = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latencyMs: Type.Number(),
  detail: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  critical: Type.Optional(
    Type.Boolean({ description: 'false: reported, but not down-ing the service when down' }),
  ),
})

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  checks: Type.Record(Type.String(), CheckResult),
})

const CHECK_TIMEOUT_MS = 2_000

async function runCheck(check: ReadinessCheck) {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const critical = check.critical === false ? { critical: false } : {}
  try {
    const detail = await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS)
      }),
    ])
    return {
      status: 'up' as const,
      latencyMs: Math.round(performance.now() - started),
      ...(typeof detail === 'string' ? { detail } : {}),
      ...critical,
    }
  } catch (error) {
    return {
      status: 'down' as const,
      latencyMs: Math.round(performance.now() - started),
      error: (error as Error).message,
      ...critical,
    }
  } finally {
    clearTimeout(timer)
  }
}

/** Liveness (the process answers) and readiness (what it depends on answers too). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ checks: ReadinessCheck[] }> = async (
  app,
  { checks },
) => {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['operations'],
        summary: 'The process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
        security: [],
      },
      logLevel: 'warn',
      config: { scope: 'public' },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'The service and what it depends on can serve requests',
        response: { 200: Readiness, 503: Readiness },
        security: [],
      },
      logLevel: 'warn',
      config: { scope: 'public' },
    },
    async (_request, reply) => {
      const results = await Promise.all(checks.map(runCheck))
      const byName = Object.fromEntries(checks.map((c, i) => [c.name, results[i]!]))
      const ready = results.every((r, i) => r.status === 'up' || checks[i]!.critical === false)
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: byName })
    },
  )
}
