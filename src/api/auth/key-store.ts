import { generateApiKey } from './api-key.js'
import type { Scope } from './scopes.js'

/** A stored API key: never the key itself, only its hash. */
export interface ApiKeyRecord {
  id: string
  name: string
  hash: Uint8Array
  scopes: Scope[]
  createdAt: Date
  revokedAt: Date | null
}

/** Where API keys are kept (the `api_keys` table; see src/app/api-keys.ts). */
export interface ApiKeyStore {
  find(id: string): Promise<ApiKeyRecord | undefined>
  list(): Promise<ApiKeyRecord[]>
  insert(key: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>): Promise<ApiKeyRecord>
  /** Marks a key revoked; the record as it is now, or undefined when there is no such key. */
  revoke(id: string): Promise<ApiKeyRecord | undefined>
}

/** A key just created: its record, and the key itself, to hand to its owner once. */
export interface IssuedApiKey {
  record: ApiKeyRecord
  key: string
}

/** Creates a key with these scopes, storing only its hash. */
export async function issueApiKey(
  store: ApiKeyStore,
  name: string,
  scopes: readonly Scope[],
): Promise<IssuedApiKey> {
  const { id, key, hash } = generateApiKey()
  const record = await store.insert({ id, name, hash, scopes: [...new Set(scopes)] })
  return { record, key }
}

/** Keys kept in memory: for tests, and an app given only an admin key. */
export function memoryKeyStore(): ApiKeyStore {
  const keys = new Map<string, ApiKeyRecord>()
  return {
    async find(id) {
      return keys.get(id)
    },
    async list() {
      return [...keys.values()]
    },
    async insert(key) {
      const record = { ...key, createdAt: new Date(), revokedAt: null }
      keys.set(key.id, record)
      return record
    },
    async revoke(id) {
      const record = keys.get(id)
      if (!record) return undefined
      const revoked = { ...record, revokedAt: record.revokedAt ?? new Date() }
      keys.set(id, revoked)
      return revoked
    },
  }
}
