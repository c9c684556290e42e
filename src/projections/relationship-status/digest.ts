import { copyWith } from '../../domain/json.js'
import type { Interaction } from '../../domain/relationship/interaction-coding.js'
import type {
  CooperationArea,
  FrictionSeverity,
  RelationshipLabel,
} from '../../domain/relationship/types.js'
import type { ImpreciseTime } from '../../domain/values/imprecise-time.js'
import type { Person } from '../../domain/values/person.js'
import type { Place } from '../../domain/values/place.js'
import { occurredAt, type Source } from '../../domain/values/source.js'
import type {
  AssessmentItem,
  EngagementItem,
  EngagementState,
  FrictionItem,
  InteractionItem,
  Item,
  ItemOrigin,
  SubjectType,
} from './items.js'

/**
 * What each event says about a pair, as relationship items: pure functions of the event's data
 * (as corrected), so that a correction can replace exactly what its target contributed.
 */

// Event data is read loosely: the aggregate that wrote it has checked it.
type Loose = Record<string, unknown>

/** "A and B", "A, B and C". */
const names = (people: readonly Person[]) => {
  const all = people.map((p) => p.name)
  return all.length < 2 ? (all[0] ?? '') : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`
}

function interactionsOf(d: Loose, base: ItemOrigin, dyad: string): InteractionItem[] {
  const items: InteractionItem[] = []
  let firstHand: boolean | undefined
  for (const i of (d.interactions ?? []) as Interaction[]) {
    if (i.dyad.join('-') !== dyad) continue
    firstHand ??= ((d.sources ?? []) as Source[]).some((s) => !s.derivedFrom?.length)
    // Items are made by `copyWith`, not `{ ...base, … }` (see there): one for every event and pair.
    items.push(
      copyWith(base, {
        item: 'interaction' as const,
        kind: i.kind,
        cameo: i.cameo,
        plover: i.plover,
        mode: i.mode,
        weight: i.weight,
        codingVersion: i.codingVersion,
        at: i.occurredAt ?? base.recordedAt,
        firstHand,
      }),
    )
  }
  return items
}

/** An engagement item of `subject` (its id from the data's `<subject>Id`), without unset members. */
function engagement(
  d: Loose,
  base: ItemOrigin,
  subject: SubjectType,
  status: EngagementState,
  rest: { title?: string; time?: unknown; place?: unknown } = {},
): EngagementItem[] {
  const item: EngagementItem = copyWith(base, {
    item: 'engagement' as const,
    subject: { type: subject, id: d[`${subject}Id`] as string },
    status,
  })
  if (rest.title !== undefined) item.title = rest.title
  if (rest.time !== undefined) item.time = rest.time as ImpreciseTime
  if (rest.place !== undefined) item.place = rest.place as Place
  return [item]
}

/** What a visit, call or meeting event says of that engagement: its status, time, title. */
function engagementItems(type: string, d: Loose, base: ItemOrigin): EngagementItem[] {
  switch (type) {
    case 'VisitScheduled': {
      const { visitor, destination } = d as { visitor: Person; destination: Place }
      const title = `${visitor.name} visits ${destination.city}`
      return engagement(d, base, 'visit', 'scheduled', {
        title,
        time: d.period,
        place: destination,
      })
    }
    case 'VisitRescheduled':
      return engagement(d, base, 'visit', 'scheduled', { time: d.period })
    case 'VisitCancelled':
      return engagement(d, base, 'visit', 'cancelled')
    case 'VisitCompleted':
      return engagement(d, base, 'visit', 'completed', { time: d.period })
    case 'CallRecorded':
      return engagement(d, base, 'call', 'held', {
        title: `Call between ${names((d.participants ?? []) as Person[])}`,
        time: d.date,
      })
    case 'MeetingAnnounced': {
      const occasion = d.occasion ? ` (${d.occasion})` : ''
      const title = `Meeting of ${names((d.participants ?? []) as Person[])}${occasion}`
      return engagement(d, base, 'meeting', 'announced', { title, time: d.window, place: d.place })
    }
    case 'MeetingConfirmed':
      return engagement(d, base, 'meeting', 'confirmed', { time: d.date, place: d.place })
    case 'MeetingRescheduled':
      return engagement(d, base, 'meeting', 'announced', { time: d.window, place: d.place })
    case 'MeetingHeld':
      return engagement(d, base, 'meeting', 'held', { time: d.date, place: d.place })
    case 'MeetingCancelled':
      return engagement(d, base, 'meeting', 'cancelled')
    default:
      return []
  }
}

/** What the event (of `type`, with data `data`) says about the pair `dyad` (`FR-US`). */
export function itemsOf(type: string, data: object, base: ItemOrigin, dyad: string): Item[] {
  const d = data as Loose
  const interactions = interactionsOf(d, base, dyad)
  const at = interactions[0]?.at ?? base.recordedAt
  return [
    ...interactions,
    ...engagementItems(type, d, base),
    ...relationshipItems(type, d, base, at),
  ]
}

/** Items of the relationship stream's own facts. */
function relationshipItems(type: string, d: Loose, base: ItemOrigin, at: string): Item[] {
  switch (type) {
    case 'FrictionRecorded': {
      const friction: FrictionItem = copyWith(base, {
        item: 'friction' as const,
        frictionId: d.frictionId as string,
        title: d.title as string,
        severity: d.severity as FrictionSeverity,
        topics: (d.topics ?? []) as string[],
        thirdParties: (d.thirdParties ?? []) as string[],
        at,
      })
      if (d.since !== undefined) friction.since = d.since as ImpreciseTime
      return [friction]
    }
    case 'FrictionResolved': {
      const when = occurredAt(d.date as ImpreciseTime | undefined, (d.sources ?? []) as Source[])
      const { frictionId, resolution } = d as unknown as { frictionId: string; resolution: string }
      return [copyWith(base, { item: 'resolution' as const, frictionId, resolution, at: when })]
    }
    case 'CooperationRecorded': {
      const { area, topic } = d as unknown as { area: CooperationArea; topic: string }
      return [copyWith(base, { item: 'cooperation' as const, area, topic, at })]
    }
    case 'RelationshipAssessed': {
      const { label, rationale } = d as unknown as { label: RelationshipLabel; rationale: string }
      const assessment: AssessmentItem = copyWith(base, {
        item: 'assessment' as const,
        label,
        rationale,
      })
      if (d.asOf !== undefined) assessment.asOf = d.asOf as ImpreciseTime
      return [assessment]
    }
    default:
      return []
  }
}

/** Every pair an event's data names: `dyad`, `dyads`, and its interactions' dyads. */
export function dyadsIn(data: unknown): string[] {
  if (typeof data !== 'object' || data === null) return []
  const d = data as Loose
  const pairs = [
    d.dyad,
    ...(Array.isArray(d.dyads) ? d.dyads : []),
    ...(Array.isArray(d.interactions) ? d.interactions.map((i) => (i as Interaction).dyad) : []),
  ]
  const ok = (p: unknown): p is [string, string] =>
    Array.isArray(p) && p.length === 2 && p.every((c) => typeof c === 'string')
  return [...new Set(pairs.filter(ok).map((p) => [...p].sort().join('-')))]
}
