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
  'VisitCancelled',
  'VisitCompleted',
  'CallRecorded',
  'MeetingAnnounced',
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
 * The pair's document after `event`; undefined when nothing about the pair is left (all of it
 * retracted). Pure: never mutates `doc`. The label history is read again from the earliest
 * instant of the items that came or went; it equals `labelHistory(items)` from scratch.
 */
export function evolveRelationshipDoc(
  doc: RelationshipDoc | undefined,
  event: ProjectedEvent,
  dyad: string,
): RelationshipDoc | undefined {
  const before: readonly Item[] = doc?.items ?? []
  let items: readonly Item[]
  if (isCorrection(event)) items = revised(before, event, dyad)
  else if (before.some((i) => i.eventId === event.eventId)) items = before
  else {
    const base = {
      eventId: event.eventId,
      position: event.globalPosition,
      recordedAt: event.recordedAt,
    }
    const added = itemsOf(event.type, event.data, base, dyad)
    items = added.length ? [...before, ...added] : before
  }
  if (items === before) return doc
  if (items.length === 0) return undefined
  const [a = '', b = ''] = dyad.split('-')
  // Readings before the earliest item that came or went are as they were: read on from there.
  const [had, has] = [new Set(before), new Set(items)]
  const changed = [...items.filter((i) => !had.has(i)), ...before.filter((i) => !has.has(i))]
  const since = earliestTimed(changed)
  const history = doc?.labelHistory ?? []
  return {
    dyad: [a, b],
    rules: RELATIONSHIP_RULES,
    items: [...items],
    labelHistory:
      since === Infinity ? history : labelHistory(items, RELATIONSHIP_RULES, history, since),
    updatedAt: event.recordedAt,
    position: event.globalPosition,
  }
}
