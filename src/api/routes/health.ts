import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

/** Something the service needs in order to serve: the database, later the relay. */
export interface ReadinessCheck {
  name: string
  /** Resolves when healthy; rejects (or times out) when not. */
  check(): Promise<void>
}

const CheckResult = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latencyMs: Type.Number(),
  error: Type.Optional(Type.String()),
})

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  checks: Type.Record(Type.String(), CheckResult),
})

const CHECK_TIMEOUT_MS = 2_000

async function runCheck(check: ReadinessCheck) {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS)
      }),
    ])
    return { status: 'up' as const, latencyMs: Math.round(performance.now() - started) }
  } catch (error) {
    return {
      status: 'down' as const,
      latencyMs: Math.round(performance.now() - started),
      error: (error as Error).message,
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
      const ready = results.every((r) => r.status === 'up')
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: byName })
    },
  )
}
