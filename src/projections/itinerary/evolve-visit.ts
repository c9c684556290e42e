import { sameJson } from '../../domain/json.js'
import type { ProjectedEvent } from '../projection.js'
import { type FactEntry, isCorrection, withFact } from './fact-log.js'
import { foldVisit, type UnrevisedEngagement } from './fold-visit.js'
import type { EngagementView, VisitDoc } from './types.js'

/** The event types that change a visit's document. */
export const VISIT_EVENT_TYPES = [
  'VisitScheduled',
  'VisitRescheduled',
  'ItineraryEngagementAdded',
  'ItineraryEngagementChanged',
  'ItineraryEngagementRemoved',
  'DelegationMemberAdded',
  'DelegationMemberRemoved',
  'VisitCancelled',
  'VisitCompleted',
] as const

const unrevised = ({ revision: _r, revisedAt: _a, ...e }: EngagementView): UnrevisedEngagement => e

/**
 * Gives each engagement its revision: unchanged ones keep theirs, changed or new ones get the
 * next number for their id (from 0), as of the event's recorded time.
 */
function revise(
  previous: VisitDoc | undefined,
  engagements: UnrevisedEngagement[],
  at: string,
): Pick<VisitDoc, 'engagements' | 'engagementRevisions'> {
  const revisions = { ...(previous?.engagementRevisions ?? {}) }
  const shown = engagements.map((e): EngagementView => {
    const before = previous?.engagements.find((p) => p.engagementId === e.engagementId)
    const known = revisions[e.engagementId]
    if (!before || !known || !sameJson(unrevised(before), e)) {
      revisions[e.engagementId] = { revision: known ? known.revision + 1 : 0, revisedAt: at }
    }
    return { ...e, ...revisions[e.engagementId]! }
  })
  return { engagements: shown, engagementRevisions: revisions }
}

/**
 * A visit's document after `event`, folded again from its facts; undefined when the visit's
 * scheduling was retracted (or the event is a correction of a visit this model never held).
 * Pure: never mutates `doc`.
 */
export function evolveVisitDoc(
  doc: VisitDoc | undefined,
  event: ProjectedEvent,
): VisitDoc | undefined {
  if (!doc && isCorrection(event)) return undefined
  const before: readonly FactEntry[] = doc?.facts ?? []
  const facts = withFact(before, event)
  if (facts === before) return doc
  const view = foldVisit(facts)
  if (!view) return undefined
  const { engagements, engagementRevisions } = revise(doc, view.engagements, event.recordedAt)
  return {
    ...view,
    engagements,
    facts: [...facts],
    engagementRevisions,
    updatedAt: event.recordedAt,
    position: event.globalPosition,
  }
}

/** The visit as queries show it: the document without its bookkeeping. */
export function visitView(doc: VisitDoc): Omit<VisitDoc, 'facts' | 'engagementRevisions'> {
  const { facts: _f, engagementRevisions: _r, ...view } = doc
  return view
}
