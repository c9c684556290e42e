import type { Kysely, Selectable } from 'kysely'
import type { ApiKeysTable, Database } from './schema.js'

export type ApiKeyRow = Selectable<ApiKeysTable>

/** Stores a new API key (its hash, never the key). */
export async function insertApiKey(
  db: Kysely<Database>,
  key: { id: string; name: string; keyHash: Uint8Array; scopes: readonly string[] },
): Promise<ApiKeyRow> {
  return db
    .insertInto('api_keys')
    .values({
      id: key.id,
      name: key.name,
      key_hash: Buffer.from(key.keyHash),
      scopes: [...key.scopes],
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** One API key by its public id. */
export async function findApiKey(db: Kysely<Database>, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Every API key, oldest first. */
export async function listApiKeys(db: Kysely<Database>): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute()
}

/** Marks a key revoked (keeping the first revocation time); undefined when there is none. */
export async function revokeApiKey(
  db: Kysely<Database>,
  id: string,
): Promise<ApiKeyRow | undefined> {
  await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute()
  return findApiKey(db, id)
}
