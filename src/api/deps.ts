import type { CommandHandler } from '../app/command-handler.js'
import type { EventLogConnection } from '../eventstore/index.js'
import type { DocumentCache } from './document-cache.js'

/** What the /v1 routes need: the event log, the command handler and a clock. */
export interface ApiDeps {
  log: EventLogConnection
  /** Documents of the read models read lately (absent: every read goes to the store). */
  documents: DocumentCache | undefined
  handle: CommandHandler
  /** The server's clock: the time of commands, and `now` of relationship status. */
  clock: () => Date
  /** How often the live event stream sends a heartbeat comment (default 15 s). */
  heartbeatMs: number
  /** How long a request holds its idempotency key before a retry may take it over. */
  idempotencyLeaseMs: number
}
