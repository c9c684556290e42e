import type { Kysely } from 'kysely'
import {
  type ApiKeyRecord,
  type ApiKeyStore,
  type IssuedApiKey,
  issueApiKey,
} from '../api/auth/key-store.js'
import { SCOPES, type Scope } from '../api/auth/scopes.js'
import {
  type ApiKeyRow,
  findApiKey,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
} from '../eventstore/api-keys.js'
import type { Database } from '../eventstore/schema.js'

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    hash: new Uint8Array(row.key_hash),
    // A scope this version does not know grants nothing.
    scopes: row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
    createdAt: new Date(row.created_at),
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
  }
}

/** API keys in the `api_keys` table of the event store's database. */
export function databaseKeyStore(db: Kysely<Database>): ApiKeyStore {
  return {
    async find(id) {
      const row = await findApiKey(db, id)
      return row && toRecord(row)
    },
    async list() {
      return (await listApiKeys(db)).map(toRecord)
    },
    async insert(key) {
      return toRecord(
        await insertApiKey(db, {
          id: key.id,
          name: key.name,
          keyHash: key.hash,
          scopes: key.scopes,
        }),
      )
    },
    async revoke(id) {
      const row = await revokeApiKey(db, id)
      return row && toRecord(row)
    },
  }
}

/**
 * On a first start of the embedded store (no key ever created, none given in the
 * environment), creates an admin key so that the local user can call the API at all. The
 * key is returned to be printed once; only its hash is kept.
 */
export async function createFirstAdminKey(
  store: ApiKeyStore,
  adminKeyGiven: boolean,
): Promise<IssuedApiKey | undefined> {
  if (adminKeyGiven || (await store.list()).length > 0) return undefined
  return issueApiKey(store, 'local admin (created at first start)', ['admin'])
}
