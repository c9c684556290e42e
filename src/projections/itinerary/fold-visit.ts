import { compact } from '../../domain/json.js'
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
  return compact({
    engagementId: e.engagementId,
    kind: e.kind,
    title: e.title,
    period: e.period,
    timing,
    timeZone: place.timeZone,
    localStart:
      timing === 'timed' && e.period.earliest
        ? localTime(e.period.earliest, place.timeZone)
        : undefined,
    place,
    counterparts: e.counterparts,
    status: cancellation ? 'cancelled' : e.status,
    cancellation,
    sources: item.sources,
  })
}

const byEarliest = (a: UnrevisedEngagement, b: UnrevisedEngagement) =>
  (a.period.earliest ?? '').localeCompare(b.period.earliest ?? '')

/**
 * Folds a visit's facts in force into what its itinerary shows; undefined when no scheduling
 * fact is in force (it was retracted: the visit disappears).
 */
export function foldVisit(log: readonly FactEntry[]): UnrevisedVisit | undefined {
  let visit: UnrevisedVisit | undefined
  const items = new Map<string, Item>()
  const touch = (id: string, fact: FactEntry, f: (item: Item) => Item) => {
    const item = items.get(id)
    if (item)
      items.set(id, { ...f(item), sources: uniqueSources([...item.sources, ...fact.sources]) })
  }
  for (const fact of liveFacts(log)) {
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
      continue
    }
    if (!visit) continue
    switch (fact.type) {
      case 'VisitRescheduled':
        visit = { ...visit, period: (fact.data as unknown as Data<'VisitRescheduled'>).period }
        break
      case 'ItineraryEngagementAdded': {
        const { engagement } = fact.data as unknown as Data<'ItineraryEngagementAdded'>
        items.set(engagement.engagementId, { engagement, sources: fact.sources })
        break
      }
      case 'ItineraryEngagementChanged': {
        const d = fact.data as unknown as Data<'ItineraryEngagementChanged'>
        touch(d.engagementId, fact, (item) => ({
          ...item,
          engagement: applyEngagementChange(item.engagement, d.previous, d.engagement),
        }))
        break
      }
      case 'ItineraryEngagementRemoved': {
        const d = fact.data as unknown as Data<'ItineraryEngagementRemoved'>
        touch(d.engagementId, fact, (item) => ({ ...item, removed: d.reason }))
        break
      }
      case 'DelegationMemberAdded': {
        const { member } = fact.data as unknown as Data<'DelegationMemberAdded'>
        const others = visit.delegation.filter((m) => m.person.id !== member.person.id)
        visit = { ...visit, delegation: [...others, member] }
        break
      }
      case 'DelegationMemberRemoved': {
        const { member } = fact.data as unknown as Data<'DelegationMemberRemoved'>
        const delegation = visit.delegation.filter((m) => m.person.id !== member.person.id)
        visit = { ...visit, delegation }
        break
      }
      case 'VisitCancelled': {
        const { reason } = fact.data as unknown as Data<'VisitCancelled'>
        visit = { ...visit, status: 'cancelled', cancellation: { reason } }
        break
      }
      case 'VisitCompleted': {
        const { period } = fact.data as unknown as Data<'VisitCompleted'>
        visit = { ...visit, status: 'completed', period }
        break
      }
    }
  }
  if (!visit) return undefined
  const shown = visit
  const engagements = [...items.values()].map((item) => show(shown, item)).sort(byEarliest)
  const sources = uniqueSources(liveFacts(log).flatMap((f) => f.sources))
  return { ...shown, engagements, sources }
}
