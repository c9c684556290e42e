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
 * The security headers of a JSON API (OWASP's REST Security Cheat Sheet): nothing may run,
 * load or frame from an answer, HTTPS is sticky, the content type is never sniffed, no
 * referrer leaks and other origins cannot embed an answer. The same on every response; the
 * docs page replaces the CSP with Swagger UI's own (see openapi.ts). A browser document set
 * like helmet's defaults (script, style and font allowances, cross-origin opener policy)
 * would be six more headers on every JSON answer, with nothing in it that a JSON answer needs.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
})

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
