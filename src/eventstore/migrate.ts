import { type Kysely, type MigrationResultSet, Migrator } from 'kysely'
import { migrationProvider } from './migrations/index.js'
import type { Database } from './schema.js'

/**
 * Brings the schema to the latest migration. Safe to run from several processes at once:
 * Kysely's migrator takes a lock.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: migrationProvider })
  const result = await migrator.migrateToLatest()
  if (result.error) throw result.error
  return result
}
