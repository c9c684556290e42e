import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  RouteOptions,
} from 'fastify'
import { sendProblem } from '../problem.js'
import type { Authentication, Authenticator } from './authenticator.js'
import type { Principal, RouteScope, Scope } from './scopes.js'

/**
 * Routes registered by libraries, which cannot declare a scope themselves: the interactive
 * docs and their static assets, and the AsyncAPI document.
 */
const PUBLIC_PREFIXES = ['/docs']
const PUBLIC_PATHS = ['/asyncapi.json']

const REALM = 'Bearer realm="entente"'

/** A route and the scope it needs, as the auth plugin saw it registered. */
export interface ScopedRoute {
  method: string
  url: string
  scope: RouteScope
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the scope it needs (for tests and the docs). */
    routeScopes: readonly ScopedRoute[]
  }
}

/** The scope a route needs: what it declares, `admin` when it declares nothing. */
export function routeScope(route: { url: string; config?: { scope?: RouteScope } }): RouteScope {
  if (route.config?.scope) return route.config.scope
  if (PUBLIC_PATHS.includes(route.url)) return 'public'
  if (PUBLIC_PREFIXES.some((p) => route.url === p || route.url.startsWith(`${p}/`))) return 'public'
  return 'admin'
}

/** `admin` implies every scope. */
export function grants(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope)
}

function unauthorized(request: FastifyRequest, reply: FastifyReply, auth: Authentication) {
  switch (auth.kind) {
    case 'anonymous':
      reply.header('www-authenticate', REALM)
      return sendProblem(
        request,
        reply,
        401,
        'missing-api-key',
        'this route needs an API key: send Authorization: Bearer <key>',
      )
    case 'malformed':
      reply.header('www-authenticate', `${REALM}, error="invalid_request"`)
      return sendProblem(
        request,
        reply,
        401,
        'malformed-authorization',
        'the Authorization header must be "Bearer <key>"',
      )
    case 'refused':
      reply.header('www-authenticate', `${REALM}, error="invalid_token"`)
      return sendProblem(request, reply, 401, auth.code, auth.detail)
    case 'principal':
      throw new Error('an authenticated request is not unauthorized')
  }
}

/**
 * Every route needs the scope it declares in `config.scope` (none declared: `admin`), checked
 * before the body is read. 401 when the key is missing, malformed, unknown or revoked; 403
 * when it lacks the scope. Must be called before any route is registered; the hook is added
 * to each route after those of plugins registered earlier (the rate limiter counts refused
 * requests too).
 */
export function registerAuth(app: FastifyInstance, authenticator: Authenticator): void {
  const checkScope: onRequestHookHandler = async (request, reply) => {
    const scope = request.routeOptions.config.scope
    if (scope === 'public') return
    const auth = await authenticator.authenticate(request)
    if (auth.kind !== 'principal') return unauthorized(request, reply, auth)
    if (!grants(auth.principal, scope ?? 'admin')) {
      reply.header(
        'www-authenticate',
        `${REALM}, error="insufficient_scope", scope="${scope ?? 'admin'}"`,
      )
      return sendProblem(
        request,
        reply,
        403,
        'insufficient-scope',
        `the API key ${auth.principal.keyId} lacks the scope ${scope ?? 'admin'}`,
      )
    }
    request.principal = auth.principal
  }

  const routes: ScopedRoute[] = []
  app.decorate('routeScopes', routes)
  app.addHook('onRoute', (route: RouteOptions) => {
    const scope = routeScope(route)
    route.config = { ...route.config, scope }
    // OpenAPI 3.1 lets a bearer requirement name the scope (as a role).
    route.schema = { ...route.schema, security: scope === 'public' ? [] : [{ apiKey: [scope] }] }
    const hooks = route.onRequest ?? []
    route.onRequest = [...(Array.isArray(hooks) ? hooks : [hooks]), checkScope]
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url, scope })
  })
}
