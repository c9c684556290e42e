import type { Kysely } from 'kysely'
import type { Command, Decider, Event } from '../domain/decider.js'
import { upcast } from '../domain/upcasters.js'
import {
  type Database,
  type RecordedEvent,
  readStream,
  readStreamFrom,
} from '../eventstore/index.js'

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
  const state = slice.events.reduce(
    (s, stored) => evolveStored(decider, s, stored),
    decider.initialState(),
  )
  return { state, version: slice.streamVersion, events: slice.events }
}

/** The state after a stored event, upcast to its current schema, with its id. */
function evolveStored<C extends Command, E extends Event, S>(
  decider: Decider<C, E, S>,
  state: S,
  stored: RecordedEvent,
): S {
  const { data } = upcast(stored.type, stored.schemaVersion, stored.data)
  return decider.evolve(state, { eventId: stored.eventId, type: stored.type, data } as E)
}

/** What a stream's events fold to up to `version`, whose event there is `lastEventId`. */
export interface KnownState<S> {
  state: S
  version: number
  lastEventId: string
}

/**
 * The aggregate's current state, and its last event's id (none for a stream with no events).
 * From `known` and the events after it, when the stream still holds `known`'s last event at
 * its version (one read from that version on); otherwise, a log restored from an older backup
 * for one, folded from the start.
 */
export async function loadCurrent<C extends Command, E extends Event, S>(
  db: Kysely<Database>,
  decider: Decider<C, E, S>,
  streamId: string,
  known?: KnownState<S>,
): Promise<{ state: S; version: number; lastEventId?: string }> {
  if (known) {
    const events = await readStreamFrom(db, streamId, known.version)
    const [held, ...after] = events
    if (held?.eventId === known.lastEventId && held.streamVersion === known.version) {
      const state = after.reduce((s, stored) => evolveStored(decider, s, stored), known.state)
      const last = events.at(-1)!
      return { state, version: last.streamVersion, lastEventId: last.eventId }
    }
  }
  const { state, version, events } = await loadAggregate(db, decider, streamId)
  return { state, version, lastEventId: events.at(-1)?.eventId }
}
