import { type Command, Option } from 'commander'
import { type ApiKeyRecord, issueApiKey } from '../api/auth/key-store.js'
import { SCOPES, type Scope } from '../api/auth/scopes.js'
import type { EventLogConnection } from '../eventstore/index.js'
import { databaseKeyStore } from './api-keys.js'
import { type Config, loadConfig } from './config.js'
import { DataDirInUseError, openEventLog } from './event-log.js'

/** What `entente keys` needs, from the store directly or from the running service. */
interface KeyAdmin {
  create(name: string, scopes: Scope[]): Promise<{ record: KeyView; key: string }>
  list(): Promise<KeyView[]>
  revoke(id: string): Promise<KeyView | undefined>
  close(): Promise<void>
}

interface KeyView {
  id: string
  name: string
  scopes: string[]
  createdAt: string
  revokedAt: string | null
}

/** `entente keys` could not do its work; the message says what to do. */
export class KeysCliError extends Error {
  override name = 'KeysCliError'
}

function view(record: ApiKeyRecord): KeyView {
  return {
    id: record.id,
    name: record.name,
    scopes: record.scopes,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
  }
}

function storeAdmin(log: EventLogConnection): KeyAdmin {
  const keys = databaseKeyStore(log.db)
  return {
    async create(name, scopes) {
      const { record, key } = await issueApiKey(keys, name, scopes)
      return { record: view(record), key }
    },
    list: async () => (await keys.list()).map(view),
    async revoke(id) {
      const record = await keys.revoke(id)
      return record && view(record)
    },
    close: () => log.close(),
  }
}

/** The admin routes of the service that holds the embedded store. */
function serviceAdmin(baseUrl: string, key: string): KeyAdmin {
  const call = async (method: string, path: string, body?: unknown) => {
    let response: Response
    try {
      response = await fetch(new URL(path, baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      })
    } catch (error) {
      throw new KeysCliError(
        `the embedded store is held by a running process, and the service at ${baseUrl} does ` +
          `not answer (${(error as Error).message}): set ENTENTE_URL to where it listens`,
      )
    }
    if (response.status === 404 && method === 'DELETE') return undefined
    const answer = (await response.json()) as Record<string, unknown>
    if (!response.ok)
      throw new KeysCliError(`the service at ${baseUrl} refused: ${answer.status} ${answer.detail}`)
    return answer
  }
  return {
    async create(name, scopes) {
      const { key: created, ...record } = (await call('POST', '/v1/admin/keys', {
        name,
        scopes,
      })) as unknown as KeyView & { key: string }
      return { record, key: created }
    },
    list: async () => ((await call('GET', '/v1/admin/keys')) as { items: KeyView[] }).items,
    revoke: async (id) =>
      (await call('DELETE', `/v1/admin/keys/${encodeURIComponent(id)}`)) as KeyView | undefined,
    close: async () => {},
  }
}

/**
 * Opens the store when it can. The embedded store belongs to one process: while the service
 * runs, ask it instead, over its admin routes, with an admin key from the environment.
 */
async function openKeyAdmin(config: Config, env: NodeJS.ProcessEnv): Promise<KeyAdmin> {
  try {
    return storeAdmin(await openEventLog(config.database))
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error
    const key = env.ENTENTE_API_KEY?.trim() || config.adminKey
    if (!key)
      throw new KeysCliError(
        `${error.message}. To manage keys while the service runs, set ENTENTE_API_KEY to an ` +
          'admin key and `entente keys` will ask the service',
      )
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
    return serviceAdmin(env.ENTENTE_URL?.trim() || `http://${host}:${config.port}`, key)
  }
}

async function withKeyAdmin(run: (admin: KeyAdmin) => Promise<void>): Promise<void> {
  const admin = await openKeyAdmin(loadConfig(), process.env)
  try {
    await run(admin)
  } finally {
    await admin.close()
  }
}

function describe(key: KeyView): string {
  const state = key.revokedAt ? `revoked ${key.revokedAt}` : 'active'
  return `${key.id}  ${key.scopes.join(',').padEnd(28)} ${state.padEnd(32)} ${key.name}`
}

const KEYS_HELP = `
While the service runs on the embedded store it holds the data folder: \`entente keys\` then
calls the service's admin routes at ENTENTE_URL (default http://HOST:PORT) with the admin key
in ENTENTE_API_KEY (or ENTENTE_ADMIN_KEY). On Postgres it uses the database directly.`

/** `entente keys create|list|revoke`: API keys, stored as hashes. */
export function addKeyCommands(program: Command, environmentHelp: string): void {
  const keys = program
    .command('keys')
    .description('create, list and revoke API keys')
    .addHelpText('after', `${KEYS_HELP}\n${environmentHelp}`)

  keys
    .command('create')
    .description('create a key; prints the key once (only its hash is stored)')
    .requiredOption('--name <name>', 'who or what holds the key')
    .addOption(
      new Option('--scope <scope...>', 'what it may do (admin implies all)')
        .choices(SCOPES)
        .makeOptionMandatory(),
    )
    .action(async (options: { name: string; scope: Scope[] }) => {
      await withKeyAdmin(async (admin) => {
        const { record, key } = await admin.create(options.name, options.scope)
        console.error(`created key ${record.id} for ${record.name}: ${record.scopes.join(', ')}`)
        console.error('it is shown this once; send it as "Authorization: Bearer <key>":')
        console.log(key)
      })
    })

  keys
    .command('list')
    .description('every key with its scopes, active or revoked (never the keys themselves)')
    .action(async () => {
      await withKeyAdmin(async (admin) => {
        for (const key of await admin.list()) console.log(describe(key))
      })
    })

  keys
    .command('revoke')
    .description('revoke a key by its id (the 12 characters after ent_)')
    .argument('<id>')
    .action(async (id: string) => {
      await withKeyAdmin(async (admin) => {
        const key = await admin.revoke(id)
        if (!key) {
          console.error(`no key ${id}`)
          process.exitCode = 1
          return
        }
        console.log(describe(key))
      })
    })
}
