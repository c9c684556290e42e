import type { FactCorrected, FactRetracted } from '../../domain/correction/events.js'
import { dataOf, idInStream, isCorrection } from '../itinerary/fact-log.js'
import type { DocumentKey, ProjectedEvent } from '../projection.js'
import { dyadsIn, itemsOf } from './digest.js'
import type { Item } from './items.js'
import { RELATIONSHIP_RULES, type RelationshipRules } from './rules.js'
import { earliestTimed, type LabelChange, labelHistory } from './score.js'

/**
 * The document of one pair (`{ kind: 'relationship', id: 'FR-US' }`): what each event said
 * about the pair (items tagged with their event, so a correction replaces them and a
 * retraction drops them), the label history under the rules, and the rules themselves.
 */
export interface RelationshipDoc {
  dyad: [string, string]
  rules: RelationshipRules
  /** In log order. */
  items: Item[]
  labelHistory: LabelChange[]
  updatedAt: string
  position: number
}

/** The event types this model reads: those whose data names a pair, and corrections. */
export const RELATIONSHIP_EVENT_TYPES = [
  'VisitScheduled',
  'VisitRescheduled',
  'VisitCancelled',
  'VisitCompleted',
  'CallRecorded',
  'MeetingAnnounced',
  'MeetingConfirmed',
  'MeetingRescheduled',
  'MeetingHeld',
  'MeetingCancelled',
  'FrictionRecorded',
  'FrictionResolved',
  'CooperationRecorded',
  'RelationshipAssessed',
  'FactCorrected',
  'FactRetracted',
] as const

/**
 * The pairs an event is about, from its own data: the dyads of its interactions, `dyad` and
 * `dyads`; for a correction, those of the data before and after it.
 */
export function relationshipKeysOf(event: ProjectedEvent): DocumentKey[] {
  let ids: string[]
  if (isCorrection(event)) {
    const d = dataOf<FactCorrected>(event) as Partial<FactCorrected['data'] & FactRetracted['data']>
    const own = idInStream(event.streamId, 'relationship-')
    ids = [...dyadsIn(d.original), ...dyadsIn(d.retracted), ...dyadsIn(d.corrected)]
    if (own) ids.push(own)
  } else ids = dyadsIn(event.data)
  return [...new Set(ids)].map((id) => ({ kind: 'relationship', id }))
}

const byPosition = (a: Item, b: Item) => a.position - b.position

/** The items after a correction or retraction of an event whose items the doc holds. */
function revised(items: readonly Item[], event: ProjectedEvent, dyad: string): readonly Item[] {
  const d = dataOf<FactCorrected>(event) as Partial<FactCorrected['data']>
  const target = d.target?.eventId
  const old = items.filter((i) => i.eventId === target)
  if (!target || !d.target || old.length === 0) return items
  const { position, recordedAt } = old[0]!
  const now =
    event.type === 'FactRetracted' || !d.corrected
      ? []
      : itemsOf(d.target.eventType, d.corrected, { eventId: target, position, recordedAt }, dyad)
  return [...items.filter((i) => i.eventId !== target), ...now].sort(byPosition)
}

/**
 * What `event` does to the pair's items: for a correction, the items after it and those that
 * came or went; for any other event, the items it adds (to be appended). `seen` holds the ids
 * of the events that `items` came from.
 */
function itemsAfter(
  items: Item[],
  seen: ReadonlySet<string>,
  event: ProjectedEvent,
  dyad: string,
): { items: Item[]; changed: readonly Item[] } {
  if (isCorrection(event)) {
    const after = revised(items, event, dyad) as Item[]
    if (after === items) return { items, changed: [] }
    const [had, has] = [new Set(items), new Set(after)]
    return {
      items: after,
      changed: [...after.filter((i) => !had.has(i)), ...items.filter((i) => !has.has(i))],
    }
  }
  if (seen.has(event.eventId)) return { items, changed: [] }
  const base = {
    eventId: event.eventId,
    position: event.globalPosition,
    recordedAt: event.recordedAt,
  }
  // The caller appends `changed`: copying a busy pair's items for every event is quadratic.
  return { items, changed: itemsOf(event.type, event.data, base, dyad) }
}

/**
 * The pair's document after `event`; undefined when nothing about the pair is left (all of it
 * retracted). Pure: never mutates `doc`. The label history is read again from the earliest
 * instant of the items that came or went; it equals `labelHistory(items)` from scratch.
 */
export function evolveRelationshipDoc(
  doc: RelationshipDoc | undefined,
  event: ProjectedEvent,
  dyad: string,
): RelationshipDoc | undefined {
  return evolveRelationshipDocBy(doc, [event], dyad)
}

/**
 * The pair's document after `events` in order: the same as `evolveRelationshipDoc` one event
 * at a time, but the label history is read again once, from the earliest instant of any item
 * that came or went, instead of after every event. A busy pair holds many items, and a rebuild
 * brings it thousands of events in a batch.
 */
export function evolveRelationshipDocBy(
  doc: RelationshipDoc | undefined,
  events: readonly ProjectedEvent[],
  dyad: string,
): RelationshipDoc | undefined {
  // One copy, appended to in place: `doc` is never mutated.
  let items: Item[] = [...(doc?.items ?? [])]
  let history = doc?.labelHistory ?? []
  let since = Infinity
  let last: ProjectedEvent | undefined
  let seen = new Set(items.map((i) => i.eventId))
  for (const event of events) {
    const next = itemsAfter(items, seen, event, dyad)
    if (next.changed.length === 0) continue
    if (next.items === items) items.push(...next.changed)
    else items = next.items
    last = event
    if (items.length === 0) {
      // Nothing left: what comes next starts a new document, its history from scratch.
      history = []
      since = -Infinity
    }
    // Readings before the earliest item that came or went are as they were.
    since = Math.min(since, earliestTimed(next.changed))
    if (isCorrection(event)) seen = new Set(items.map((i) => i.eventId))
    else for (const i of next.changed) seen.add(i.eventId)
  }
  if (!last) return doc
  if (items.length === 0) return undefined
  const [a = '', b = ''] = dyad.split('-')
  return {
    dyad: [a, b],
    rules: RELATIONSHIP_RULES,
    items,
    labelHistory:
      since === Infinity ? history : labelHistory(items, RELATIONSHIP_RULES, history, since),
    updatedAt: last.recordedAt,
    position: last.globalPosition,
  }
}
