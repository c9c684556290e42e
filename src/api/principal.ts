import type { FastifyRequest } from 'fastify'
import './auth/scopes.js'

/** Who a request acts for, as commands and idempotency keys record it. */
export interface Caller {
  /** Stable id of the API key: idempotency keys are kept per caller. */
  id: string
  /** The acting user written into every event's metadata. */
  actor: string
}

/**
 * The caller of a request: the principal the auth plugin set from the bearer key. The one
 * place that reads it; without one (an app built without auth) the caller is `anonymous`.
 */
export function callerOf(request: FastifyRequest): Caller {
  const principal = request.principal
  if (!principal) return { id: 'anonymous', actor: 'anonymous' }
  return { id: principal.keyId, actor: `${principal.name} (key ${principal.keyId})` }
}
