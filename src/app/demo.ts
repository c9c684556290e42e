import { createHash } from 'node:crypto'
import { deciderFor } from '../domain/deciders.js'
import type { EventLogConnection } from '../eventstore/index.js'
import { readStream } from '../eventstore/index.js'
import { createCommandHandler, type HandledCommand } from './command-handler.js'
import { seedScenario } from './seed-scenario.js'

/**
 * Ids derived from a name and a counter (UUIDv5 layout over SHA-1): the demo records the same
 * facts under the same ids every time, so loading it twice can be recognised.
 */
export function deterministicIds(namespace: string): () => string {
  let n = 0
  return () => {
    const hash = createHash('sha1').update(`${namespace}:${n++}`).digest()
    hash[6] = (hash[6]! & 0x0f) | 0x50
    hash[8] = (hash[8]! & 0x3f) | 0x80
    const hex = hash.subarray(0, 16).toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
}

export interface DemoResult {
  alreadyLoaded: boolean
  handled: HandledCommand[]
}

/** Records the seed article (the reference case) in the store, once. */
export async function loadDemo(log: EventLogConnection, actor = 'demo'): Promise<DemoResult> {
  const scenario = seedScenario({ newId: deterministicIds('entente-seed-article'), actor })
  const handle = createCommandHandler({ log })
  const first = scenario[0]!
  const firstStream = deciderFor(first.aggregate).streamId(first.id)
  const { streamVersion } = await readStream(log.db, firstStream, { maxCount: 1 })
  if (streamVersion > 0) return { alreadyLoaded: true, handled: [] }
  const handled: HandledCommand[] = []
  for (const { command } of scenario) handled.push(await handle(command, { requestId: 'demo' }))
  return { alreadyLoaded: false, handled }
}
