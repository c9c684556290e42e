import type { FastifyRequest } from 'fastify'
import { apiKeyId, apiKeyMatches, hashApiKey } from './api-key.js'
import type { ApiKeyRecord, ApiKeyStore } from './key-store.js'
import type { Principal } from './scopes.js'

/** Who a request says it is: nobody, a checked key, or a key that was refused (and why). */
export type Authentication =
  | { kind: 'anonymous' }
  | { kind: 'malformed' }
  | { kind: 'principal'; principal: Principal }
  | { kind: 'refused'; code: 'invalid-api-key' | 'api-key-revoked'; detail: string }

export interface AuthenticatorOptions {
  keys: ApiKeyStore
  /** An admin key given to the process (ENTENTE_ADMIN_KEY), not stored anywhere. */
  adminKey?: string
  /**
   * How long a looked-up key is remembered, to spare the store a query per request
   * (default 5 s). A revocation through this process takes effect at once; through another
   * process or the CLI, within this time.
   */
  cacheMs?: number
}

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i
const CACHE_LIMIT = 10_000

/** The principal of the admin key given in the environment. */
export const ENVIRONMENT_ADMIN: Principal = {
  keyId: 'environment',
  name: 'ENTENTE_ADMIN_KEY',
  scopes: ['admin'],
}

/**
 * Checks `Authorization: Bearer <key>` headers against the key store, once per request: the
 * rate limiter (which counts per key) and the scope check share the answer.
 */
export class Authenticator {
  readonly #keys: ApiKeyStore
  readonly #adminKeyHash: Buffer | undefined
  readonly #cacheMs: number
  readonly #cache = new Map<string, { record: ApiKeyRecord | undefined; until: number }>()
  readonly #answers = new WeakMap<FastifyRequest, Promise<Authentication>>()

  constructor(options: AuthenticatorOptions) {
    this.#keys = options.keys
    this.#adminKeyHash = options.adminKey ? hashApiKey(options.adminKey) : undefined
    this.#cacheMs = options.cacheMs ?? 5_000
  }

  authenticate(request: FastifyRequest): Promise<Authentication> {
    let answer = this.#answers.get(request)
    if (!answer) {
      answer = this.#check(request.headers.authorization)
      this.#answers.set(request, answer)
    }
    return answer
  }

  /** Forgets a key's cached record (after it was revoked here). */
  forget(id: string): void {
    this.#cache.delete(id)
  }

  async #check(header: string | undefined): Promise<Authentication> {
    if (header === undefined || header === '') return { kind: 'anonymous' }
    const key = BEARER.exec(header)?.[1]
    if (!key) return { kind: 'malformed' }
    if (this.#adminKeyHash && apiKeyMatches(key, this.#adminKeyHash))
      return { kind: 'principal', principal: ENVIRONMENT_ADMIN }
    const id = apiKeyId(key)
    const record = id ? await this.#find(id) : undefined
    // Unknown id and wrong secret get the same answer: a forger learns nothing.
    if (!record || !apiKeyMatches(key, record.hash))
      return { kind: 'refused', code: 'invalid-api-key', detail: 'the API key is not valid' }
    if (record.revokedAt)
      return {
        kind: 'refused',
        code: 'api-key-revoked',
        detail: `the API key ${record.id} was revoked`,
      }
    return {
      kind: 'principal',
      principal: { keyId: record.id, name: record.name, scopes: record.scopes },
    }
  }

  async #find(id: string): Promise<ApiKeyRecord | undefined> {
    const now = Date.now()
    const cached = this.#cache.get(id)
    if (cached && cached.until > now) return cached.record
    const record = await this.#keys.find(id)
    if (this.#cacheMs > 0) {
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear()
      this.#cache.set(id, { record, until: now + this.#cacheMs })
    }
    return record
  }
}
