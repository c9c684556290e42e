import type { FactCorrected, FactRetracted } from '../../domain/correction/events.js'
import { isCorrection, reviseFact } from '../../domain/correction/history.js'
import { canonicalJson, copyWith, type JsonObject } from '../../domain/json.js'
import type { Source } from '../../domain/values/source.js'
import type { ProjectedEvent } from '../projection.js'

/**
 * The facts of one stream as a read model keeps them, each with its data as corrected so far.
 * Read models fold the live facts again after every event: a correction or retraction then
 * reads exactly as if the target had said the corrected thing (or nothing) from the start,
 * whatever came after it. Shared by the itinerary, calendar and relationship read models.
 */
export interface FactEntry {
  eventId: string
  type: string
  position: number
  recordedAt: string
  /** The data as the latest correction says, without the interaction coding and sources. */
  data: JsonObject
  /** The fact's sources, then those of the corrections applied to it. */
  sources: Source[]
  corrections: Revision[]
  /** Set when the fact was retracted; folds skip it. */
  retracted?: Revision
}

/** A correction or retraction as applied to a fact. */
export interface Revision {
  eventId: string
  recordedAt: string
  reason: string
}

// The aggregates revise their facts with the same helpers (src/domain/correction/history.ts).
export { CORRECTION_TYPES, isCorrection } from '../../domain/correction/history.js'

/** The event's data, typed as the domain event `E` says it is (the log stored it so). */
export function dataOf<E extends { data: unknown }>(event: { data: JsonObject }): E['data'] {
  return event.data as unknown as E['data']
}

// A fact's sources are the same objects in every fold of its document: their keys are worked
// out once each.
const sourceKeys = new WeakMap<Source, string>()
function sourceKey(source: Source): string {
  const known = sourceKeys.get(source)
  if (known !== undefined) return known
  const key = canonicalJson(source)
  sourceKeys.set(source, key)
  return key
}

/** Sources without repeats, in first-seen order. */
export function uniqueSources(sources: readonly Source[]): Source[] {
  const seen = new Set<string>()
  return sources.filter((s) => {
    const key = sourceKey(s)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function slim(data: JsonObject): JsonObject {
  const { interactions: _i, sources: _s, ...rest } = data
  return rest
}

function sourcesIn(data: JsonObject): Source[] {
  return Array.isArray(data.sources) ? (data.sources as unknown as Source[]) : []
}

/**
 * The log after `event`: a fact is appended, a correction replaces its target's data, a
 * retraction marks its target. Returns `log` itself when nothing changes (a correction of a
 * fact this log does not hold, or an event applied before: the runner may deliver it again).
 */
export function withFact(log: readonly FactEntry[], event: ProjectedEvent): readonly FactEntry[] {
  const applied = (e: FactEntry) =>
    e.eventId === event.eventId ||
    e.corrections.some((c) => c.eventId === event.eventId) ||
    e.retracted?.eventId === event.eventId
  if (log.some(applied)) return log
  if (!isCorrection(event)) {
    const { eventId, type, globalPosition: position, recordedAt, data } = event
    const sources = uniqueSources(sourcesIn(data))
    return [
      ...log,
      { eventId, type, position, recordedAt, data: slim(data), sources, corrections: [] },
    ]
  }
  const d = dataOf<FactCorrected | FactRetracted>(event)
  const revision = { eventId: event.eventId, recordedAt: event.recordedAt, reason: d.reason }
  return reviseFact(log, d.target.eventId, (target): FactEntry => {
    const sources = uniqueSources([...target.sources, ...d.sources])
    return event.type === 'FactRetracted'
      ? copyWith(target, { sources, retracted: revision })
      : copyWith(target, {
          data: slim((d as FactCorrected['data']).corrected),
          sources,
          corrections: [...target.corrections, revision],
        })
  })
}

/** The facts in force: not retracted, in log order. */
export function liveFacts(log: readonly FactEntry[]): FactEntry[] {
  return log.filter((e) => !e.retracted)
}

/** The stream id's suffix after `prefix` (`visit-` → the visit id), or undefined. */
export function idInStream(streamId: string, prefix: string): string | undefined {
  return streamId.startsWith(prefix) ? streamId.slice(prefix.length) : undefined
}

/** A typed document as the JSON a projection stores; docs hold no undefined members. */
export function asJson<T extends object>(doc: T | undefined): JsonObject | undefined {
  return doc as unknown as JsonObject | undefined
}
