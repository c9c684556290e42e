import type { Kysely } from 'kysely'
import { EVENT_COLUMNS, toRecordedEvent } from './recorded-event.js'
import type { Database } from './schema.js'
import type { RecordedEvent } from './types.js'

/** One event by its id, or undefined when the log holds none with that id. */
export async function readEvent(
  db: Kysely<Database>,
  eventId: string,
): Promise<RecordedEvent | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(eventId)) return undefined
  const row = await db
    .selectFrom('events')
    .select(EVENT_COLUMNS)
    .where('event_id', '=', eventId)
    .executeTakeFirst()
  return row ? toRecordedEvent(row) : undefined
}
