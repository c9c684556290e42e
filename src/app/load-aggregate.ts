import type { Kysely } from 'kysely'
import type { Command, Decider, Event } from '../domain/decider.js'
import { upcast } from '../domain/upcasters.js'
import { type Database, type RecordedEvent, readStream } from '../eventstore/index.js'

export interface LoadedAggregate<S> {
  state: S
  /** The stream's version the state reflects (0: no events). */
  version: number
  events: RecordedEvent[]
}

/**
 * Folds a stream into its aggregate's state, upcasting stored events to their current schema
 * first. Each event goes with its id, which corrections in the stream point at. With `recordedUpTo`, the state as the record stood at that time (as-of reads).
 */
export async function loadAggregate<C extends Command, E extends Event, S>(
  db: Kysely<Database>,
  decider: Decider<C, E, S>,
  streamId: string,
  options: { recordedUpTo?: Date } = {},
): Promise<LoadedAggregate<S>> {
  const slice = await readStream(db, streamId, { recordedUpTo: options.recordedUpTo })
  let state = decider.initialState()
  for (const stored of slice.events) {
    const { data } = upcast(stored.type, stored.schemaVersion, stored.data)
    state = decider.evolve(state, { eventId: stored.eventId, type: stored.type, data } as E)
  }
  return { state, version: slice.streamVersion, events: slice.events }
}
