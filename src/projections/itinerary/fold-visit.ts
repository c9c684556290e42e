import { compact, copyWith } from '../../domain/json.js'
import type { Place } from '../../domain/values/place.js'
import type { Source } from '../../domain/values/source.js'
import { applyEngagementChange } from '../../domain/visit/engagement-change.js'
import type { VisitFact } from '../../domain/visit/events.js'
import type { Engagement } from '../../domain/visit/types.js'
import { type FactEntry, liveFacts, uniqueSources } from './fact-log.js'
import { localTime, timingOf } from './timing.js'
import type { EngagementView, VisitView } from './types.js'

type Data<T extends VisitFact['type']> = Extract<VisitFact, { type: T }>['data']

/** An engagement as the fold tracks it, before it is shown. */
interface Item {
  engagement: Engagement
  removed?: string
  sources: Source[]
}

/** An engagement view before its revision is known. */
export type UnrevisedEngagement = Omit<EngagementView, 'revision' | 'revisedAt'>
export type UnrevisedVisit = Omit<VisitView, 'engagements'> & { engagements: UnrevisedEngagement[] }

function show(visit: UnrevisedVisit, item: Item): UnrevisedEngagement {
  const { engagement: e, removed } = item
  const place = e.place ?? visit.destination
  const timing = timingOf(e.period)
  const cancellation =
    removed !== undefined
      ? { by: 'engagement-removed' as const, reason: removed }
      : visit.cancellation && { by: 'visit-cancelled' as const, reason: visit.cancellation.reason }
  // Written out, the unset members left off (what `compact` does, at a fifth of the cost: one
  // is made for every engagement a fact changes).
  const shown: UnrevisedEngagement = {
    engagementId: e.engagementId,
    kind: e.kind,
    title: e.title,
    period: e.period,
    timing,
    timeZone: place.timeZone,
    place,
    counterparts: e.counterparts,
    status: cancellation ? 'cancelled' : e.status,
    sources: item.sources,
  }
  if (timing === 'timed' && e.period.earliest)
    shown.localStart = localTime(e.period.earliest, place.timeZone)
  if (cancellation) shown.cancellation = cancellation
  return shown
}

const byEarliest = (a: UnrevisedEngagement, b: UnrevisedEngagement) =>
  (a.period.earliest ?? '').localeCompare(b.period.earliest ?? '')

/**
 * Where a fold of a visit's facts stands: the visit so far (its engagements not shown yet),
 * the engagements by id, and the sources of every fact folded (without repeats, first seen
 * first). Never changed once made: the next fact makes a new one.
 */
export interface VisitFold {
  visit: UnrevisedVisit | undefined
  items: ReadonlyMap<string, Item>
  sources: Source[]
}

const START: VisitFold = { visit: undefined, items: new Map(), sources: [] }

/** The fold after one more fact in force. */
export function foldFact(fold: VisitFold, fact: FactEntry): VisitFold {
  const sources = uniqueSources([...fold.sources, ...fact.sources])
  let { visit, items } = fold
  const touch = (id: string, f: (item: Item) => Item) => {
    const item = items.get(id)
    if (!item) return
    items = new Map(items).set(
      id,
      copyWith(f(item), { sources: uniqueSources([...item.sources, ...fact.sources]) }),
    )
  }
  if (fact.type === 'VisitScheduled') {
    const d = fact.data as unknown as Data<'VisitScheduled'>
    const { visitId, visitor, destination, period, purpose, dyad, delegation } = d
    const base = { visitId, visitor, destination, period, dyad, delegation }
    visit = compact({
      ...base,
      purpose,
      status: 'scheduled' as const,
      engagements: [],
      sources: [],
    })
    return { visit, items, sources }
  }
  if (!visit) return { visit, items, sources }
  switch (fact.type) {
    case 'VisitRescheduled':
      visit = copyWith(visit, { period: (fact.data as unknown as Data<'VisitRescheduled'>).period })
      break
    case 'ItineraryEngagementAdded': {
      const { engagement } = fact.data as unknown as Data<'ItineraryEngagementAdded'>
      items = new Map(items).set(engagement.engagementId, { engagement, sources: fact.sources })
      break
    }
    case 'ItineraryEngagementChanged': {
      const d = fact.data as unknown as Data<'ItineraryEngagementChanged'>
      touch(d.engagementId, (item) =>
        copyWith(item, {
          engagement: applyEngagementChange(item.engagement, d.previous, d.engagement),
        }),
      )
      break
    }
    case 'ItineraryEngagementRemoved': {
      const d = fact.data as unknown as Data<'ItineraryEngagementRemoved'>
      touch(d.engagementId, (item) => copyWith(item, { removed: d.reason }))
      break
    }
    case 'DelegationMemberAdded': {
      const { member } = fact.data as unknown as Data<'DelegationMemberAdded'>
      const others = visit.delegation.filter((m) => m.person.id !== member.person.id)
      visit = copyWith(visit, { delegation: [...others, member] })
      break
    }
    case 'DelegationMemberRemoved': {
      const { member } = fact.data as unknown as Data<'DelegationMemberRemoved'>
      const delegation = visit.delegation.filter((m) => m.person.id !== member.person.id)
      visit = copyWith(visit, { delegation })
      break
    }
    case 'VisitCancelled': {
      const { reason } = fact.data as unknown as Data<'VisitCancelled'>
      visit = copyWith(visit, { status: 'cancelled' as const, cancellation: { reason } })
      break
    }
    case 'VisitCompleted': {
      const { period } = fact.data as unknown as Data<'VisitCompleted'>
      visit = copyWith(visit, { status: 'completed' as const, period })
      break
    }
  }
  return { visit, items, sources }
}

/** The fold of a visit's facts in force, from the start. */
export function foldFacts(log: readonly FactEntry[]): VisitFold {
  return liveFacts(log).reduce(foldFact, START)
}

// An engagement is shown again only when it, the visit's destination or its cancellation
// changed: a visit's fold goes on fact by fact, and most facts change one of its parts.
const shownBefore = new WeakMap<
  Item,
  { destination: Place; cancellation: unknown; shown: UnrevisedEngagement }
>()

function showOnce(visit: UnrevisedVisit, item: Item): UnrevisedEngagement {
  const before = shownBefore.get(item)
  if (before?.destination === visit.destination && before.cancellation === visit.cancellation)
    return before.shown
  const shown = show(visit, item)
  shownBefore.set(item, { destination: visit.destination, cancellation: visit.cancellation, shown })
  return shown
}

/** What the itinerary shows of a fold; undefined when no scheduling fact is in force. */
export function showFold({ visit, items, sources }: VisitFold): UnrevisedVisit | undefined {
  if (!visit) return undefined
  const engagements = [...items.values()].map((item) => showOnce(visit, item)).sort(byEarliest)
  return copyWith(visit, { engagements, sources })
}
