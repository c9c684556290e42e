import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import { EntenteError } from '../domain/errors.js'
import type { Authenticator } from './auth/authenticator.js'

/** Requests allowed per window: per API key, and per client address without a valid key. */
export interface RateLimits {
  perKey: number
  perAddress: number
  windowMs: number
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perKey: 6_000, perAddress: 300, windowMs: 60_000 }

/** Too many requests in the window (HTTP 429, with Retry-After). */
export class RateLimitedError extends EntenteError {
  constructor(max: number, after: string) {
    super('rate-limited', `more than ${max} requests in the window: retry in ${after}`)
  }
}

/**
 * Security headers on every response, and rate limits counted per API key (per client address
 * when a request has no valid key). Registered before the auth plugin, so that its hook comes
 * first and refused requests are counted against their address.
 */
export async function registerSecurity(
  app: FastifyInstance,
  authenticator: Authenticator,
  limits: RateLimits | false,
): Promise<void> {
  // The JSON API needs no script allowances; /docs sets its own CSP (see openapi.ts).
  await app.register(helmet, { global: true })
  if (!limits) return
  await app.register(rateLimit, {
    global: true,
    timeWindow: limits.windowMs,
    keyGenerator: async (request) => {
      const auth = await authenticator.authenticate(request)
      return auth.kind === 'principal' ? `key:${auth.principal.keyId}` : `address:${request.ip}`
    },
    max: (_request, key) => (key.startsWith('key:') ? limits.perKey : limits.perAddress),
    // Probes of the orchestrator must never be turned away.
    allowList: (request) => request.url.startsWith('/health/'),
    errorResponseBuilder: (_request, context) => new RateLimitedError(context.max, context.after),
  })
}
