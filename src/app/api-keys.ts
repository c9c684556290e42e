import type { Kysely } from 'kysely'
import type { ApiKeyRecord, ApiKeyStore } from '../api/auth/key-store.js'
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
