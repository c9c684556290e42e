import type { ApiKeyStore } from '../../src/api/auth/key-store.js'
import { issueApiKey } from '../../src/api/auth/key-store.js'
import type { Scope } from '../../src/api/auth/scopes.js'

/** An admin key for tests, as ENTENTE_ADMIN_KEY would give it. */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789abcdef'

export function bearer(key: string): { authorization: string } {
  return { authorization: `Bearer ${key}` }
}

/** Stores a key with these scopes and returns the key to send. */
export async function keyWith(store: ApiKeyStore, ...scopes: Scope[]): Promise<string> {
  return (await issueApiKey(store, `test key: ${scopes.join(' ') || 'no scope'}`, scopes)).key
}
