import type { IncomingMessage, ServerResponse } from 'node:http'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'
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
 * Helmet's default security headers (CSP, HSTS, nosniff, frame, referrer and cross-origin
 * policies), worked out once: they do not depend on the request, and running helmet's
 * middleware for each request cost as much as the rest of a cheap request's hooks.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = (() => {
  const headers: Record<string, string> = {}
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = String(value)
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()]
    },
  }
  let done = false
  helmet()({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error
    done = true
  })
  if (!done) throw new Error('helmet did not finish synchronously')
  return Object.freeze(headers)
})()

/**
 * Security headers on every response (replies that take over the socket, such as the live
 * event stream, write them themselves), and rate limits counted per API key (per client address
 * when a request has no valid key). Registered before the auth plugin, so that its hook comes
 * first and refused requests are counted against their address.
 */
export async function registerSecurity(
  app: FastifyInstance,
  authenticator: Authenticator,
  limits: RateLimits | false,
): Promise<void> {
  // The JSON API needs no script allowances; /docs sets its own CSP (see openapi.ts).
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS)
    done()
  })
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
