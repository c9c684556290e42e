import type { Event } from '../decider.js'
import type { JsonObject } from '../json.js'
import type { Source } from '../values/source.js'

/** The event a correction points at, as the application layer looked it up. */
export interface FactTarget {
  streamId: string
  eventId: string
  eventType: string
}

/**
 * Our record was wrong: the target event should have said `corrected`. `changes` is the
 * RFC 7386 merge patch the analyst gave; `original` is what the target said before (its stored
 * data, or the last correction's result), so readers can show what changed without a lookup.
 * Aggregates and projections replace the target's data with `corrected` where it stands in the
 * stream's history and fold again from there (see history.ts).
 */
export type FactCorrected = Event<
  'FactCorrected',
  {
    target: FactTarget
    changes: JsonObject
    original: JsonObject
    corrected: JsonObject
    reason: string
    sources: Source[]
  }
>

/**
 * Our record was wrong: the target event should never have been recorded. Not a cancellation,
 * which records that something did not happen. `retracted` is the data the target held.
 * Aggregates and projections fold their history again without the target event.
 */
export type FactRetracted = Event<
  'FactRetracted',
  { target: FactTarget; retracted: JsonObject; reason: string; sources: Source[] }
>

export type CorrectionEvent = FactCorrected | FactRetracted

/**
 * Reads a correction event as a revision of the target: its type, what it said, and what it
 * should say (null when retracted). Enough for aggregates of a single fact (a call, a
 * statement); those with a history fold it again instead (`evolveCorrected`).
 */
export function asRevision(event: CorrectionEvent): {
  eventType: string
  before: object
  after: object | null
} {
  return event.type === 'FactCorrected'
    ? {
        eventType: event.data.target.eventType,
        before: event.data.original,
        after: event.data.corrected,
      }
    : { eventType: event.data.target.eventType, before: event.data.retracted, after: null }
}
