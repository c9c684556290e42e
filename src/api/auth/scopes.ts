/**
 * What an API key may do. Every route declares the one scope it needs in its route config
 * (`config: { scope: 'read' }`); `public` marks the few routes open without a key (health,
 * the OpenAPI document and its docs page). A route that declares nothing needs `admin`.
 * `admin` implies every other scope. `metrics` lets a Prometheus scraper read `/metrics`
 * without being able to read the record or manage keys.
 */
export const SCOPES = ['commands:write', 'read', 'audit:read', 'metrics', 'admin'] as const
export type Scope = (typeof SCOPES)[number]
export type RouteScope = Scope | 'public'

/** Who made a request: the API key that authenticated it. */
export interface Principal {
  keyId: string
  name: string
  scopes: readonly Scope[]
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a caller's key needs for this route. */
    scope?: RouteScope
  }
  interface FastifyRequest {
    /** Set by the auth plugin once the bearer key checked out. */
    principal?: Principal
  }
}
