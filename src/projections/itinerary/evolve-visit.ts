import { copyWith, sameJson } from '../../domain/json.js'
import type { ProjectedEvent } from '../projection.js'
import { type FactEntry, isCorrection, withFact } from './fact-log.js'
import {
  foldFact,
  foldFacts,
  showFold,
  type UnrevisedEngagement,
  type VisitFold,
} from './fold-visit.js'
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

/** The engagement each shown one was made from (`showFold` gives the same one while unchanged). */
const shownFrom = new WeakMap<EngagementView, UnrevisedEngagement>()

/**
 * Gives each engagement its revision: unchanged ones keep theirs, changed or new ones get the
 * next number for their id (from 0), as of the event's recorded time.
 */
function revise(
  previous: VisitDoc | undefined,
  engagements: UnrevisedEngagement[],
  at: string,
): Pick<VisitDoc, 'engagements' | 'engagementRevisions'> {
  // Copies by `Object.assign`, not spreads: see `copyWith`.
  const revisions = Object.assign({}, previous?.engagementRevisions)
  const shown = engagements.map((e): EngagementView => {
    const before = previous?.engagements.find((p) => p.engagementId === e.engagementId)
    const known = revisions[e.engagementId]
    if (before && known && shownFrom.get(before) === e) return before
    if (!before || !known || !sameJson(unrevised(before), e)) {
      revisions[e.engagementId] = { revision: known ? known.revision + 1 : 0, revisedAt: at }
    }
    const view: EngagementView = copyWith(e, revisions[e.engagementId]!)
    shownFrom.set(view, e)
    return view
  })
  return { engagements: shown, engagementRevisions: revisions }
}

/**
 * The fold behind each visit document evolved in this process. A new fact continues it; a
 * correction, or a document read from the store, folds the facts again from the start.
 */
const folds = new WeakMap<VisitDoc, VisitFold>()

/**
 * A visit's document after `event`: its facts with the event, folded (see `folds`); undefined
 * when the visit's scheduling was retracted (or the event is a correction of a visit this model
 * never held). Pure: never mutates `doc`.
 */
export function evolveVisitDoc(
  doc: VisitDoc | undefined,
  event: ProjectedEvent,
): VisitDoc | undefined {
  if (!doc && isCorrection(event)) return undefined
  const before: readonly FactEntry[] = doc?.facts ?? []
  const facts = withFact(before, event)
  if (facts === before) return doc
  const known = doc && !isCorrection(event) ? folds.get(doc) : undefined
  const fold = known ? foldFact(known, facts.at(-1)!) : foldFacts(facts)
  const view = showFold(fold)
  if (!view) return undefined
  const { engagements, engagementRevisions } = revise(doc, view.engagements, event.recordedAt)
  const next: VisitDoc = copyWith(view, {
    engagements,
    facts: facts as FactEntry[],
    engagementRevisions,
    updatedAt: event.recordedAt,
    position: event.globalPosition,
  })
  folds.set(next, fold)
  return next
}

/** The visit as queries show it: the document without its bookkeeping. */
export function visitView(doc: VisitDoc): Omit<VisitDoc, 'facts' | 'engagementRevisions'> {
  const { facts: _f, engagementRevisions: _r, ...view } = doc
  return view
}
