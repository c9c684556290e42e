import type { RelationshipLabel } from '../../domain/relationship/types.js'
import type { ImpreciseTime } from '../../domain/values/imprecise-time.js'
import type { Place } from '../../domain/values/place.js'
import type { RelationshipDoc } from './evolve.js'
import type { AssessmentItem, EngagementItem, EngagementState, SubjectType } from './items.js'
import type { RelationshipRules } from './rules.js'
import { type LabelChange, openFrictionsAt, readAt, type Trend } from './score.js'

/** A visit, call or meeting between the pair, as the status names it. */
export interface EngagementSummary {
  type: SubjectType
  id: string
  title: string
  time: ImpreciseTime
  status: EngagementState
  place?: Place
}

export interface RelationshipStatus {
  dyad: [string, string]
  /** The instant the status is computed for. */
  now: string
  score: number
  /** The model's label, computed under the rules (the same as `computedLabel`). */
  label: RelationshipLabel
  trend: Trend
  trendDelta: number
  lastEngagement: EngagementSummary | null
  nextEngagement: EngagementSummary | null
  openFrictions: { frictionId: string; title: string; severity: string; since: string }[]
  cooperationTopics: { topic: string; area: string; since: string }[]
  /** The analyst's latest judgement, shown beside the computed label. */
  assessment: { label: RelationshipLabel; rationale: string; asOf?: ImpreciseTime } | null
  computedLabel: RelationshipLabel
  /** Why the label is what it is: the threshold label, the capping frictions, the past. */
  basis: { thresholdLabel: RelationshipLabel; cappedBy: string[]; strainedBefore: boolean }
  labelHistory: LabelChange[]
  rules: RelationshipRules
}

const DONE: EngagementState[] = ['held', 'completed']

/** Each engagement as its events say it is now; those whose first event was retracted drop. */
function engagements(items: readonly EngagementItem[]): EngagementSummary[] {
  // One working record per engagement, changed in place: a busy pair has thousands of items,
  // and a new object per item made this the dearest part of a status.
  const found = new Map<string, Partial<EngagementItem>>()
  for (const i of items) {
    const key = `${i.subject.type}:${i.subject.id}`
    const known = found.get(key)
    if (!known) {
      if (i.title === undefined || i.time === undefined) continue
      found.set(key, { ...i })
      continue
    }
    // A member the item has replaces the one known, as a spread of the item over it would.
    known.subject = i.subject
    if (Object.hasOwn(i, 'title')) known.title = i.title
    if (Object.hasOwn(i, 'time')) known.time = i.time
    if (Object.hasOwn(i, 'status')) known.status = i.status
    if (Object.hasOwn(i, 'place')) known.place = i.place
  }
  return [...found.values()].map(({ subject, title, time, status, place }) => ({
    ...subject!,
    title: title!,
    time: time!,
    status: status!,
    ...(place ? { place } : {}),
  }))
}

const start = (e: EngagementSummary) => Date.parse(e.time.earliest ?? e.time.latest!)
const end = (e: EngagementSummary) => Date.parse(e.time.latest ?? e.time.earliest!)

/**
 * Last: the latest that took place or is wholly past; next: the earliest not yet over (under
 * way counts), neither cancelled. Each at its latest time: a visit rescheduled, a meeting
 * confirmed or rescheduled moves with it.
 */
function lastAndNext(all: EngagementSummary[], t: number) {
  // Each instant parsed once, not in every comparison of the sorts.
  const live = all
    .filter((e) => e.status !== 'cancelled')
    .map((e) => ({ e, start: start(e), end: end(e) }))
  const isPast = (x: (typeof live)[number]) =>
    x.start <= t && (DONE.includes(x.e.status) || x.end < t)
  const past = live.filter(isPast)
  const future = live.filter((x) => !isPast(x) && (x.e.time.latest === null || x.end >= t))
  past.sort((a, b) => b.end - a.end || b.start - a.start)
  future.sort((a, b) => a.start - b.start || a.end - b.end)
  return { lastEngagement: past[0]?.e ?? null, nextEngagement: future[0]?.e ?? null }
}

/**
 * The status of a pair at `now` (RFC 3339), from its document: the score decays with time, so
 * it is computed at query time, under the rules stored in the document. Facts dated after
 * `now` do not count; as-of reads pass a document replayed to a recorded time.
 */
export function relationshipStatus(doc: RelationshipDoc, now: string): RelationshipStatus {
  const t = Date.parse(now)
  const { items, rules } = doc
  const reading = readAt(items, t, rules)
  const open = openFrictionsAt(items, t).map(({ frictionId, title, severity, at }) => ({
    frictionId,
    title,
    severity,
    since: at,
  }))
  const topics = new Map<string, { topic: string; area: string; since: string }>()
  for (const i of items)
    if (i.item === 'cooperation' && Date.parse(i.at) <= t && !topics.has(i.topic))
      topics.set(i.topic, { topic: i.topic, area: i.area, since: i.at })
  const assessed = items.filter(
    (i): i is AssessmentItem =>
      i.item === 'assessment' && (!i.asOf?.earliest || Date.parse(i.asOf.earliest) <= t),
  )
  const latest = assessed.at(-1)
  const engagementItems = items.filter((i): i is EngagementItem => i.item === 'engagement')
  return {
    dyad: doc.dyad,
    now: new Date(t).toISOString(),
    score: reading.score,
    label: reading.label,
    trend: reading.trend,
    trendDelta: reading.trendDelta,
    ...lastAndNext(engagements(engagementItems), t),
    openFrictions: open,
    cooperationTopics: [...topics.values()],
    assessment: latest
      ? {
          label: latest.label,
          rationale: latest.rationale,
          ...(latest.asOf ? { asOf: latest.asOf } : {}),
        }
      : null,
    computedLabel: reading.label,
    basis: {
      thresholdLabel: reading.thresholdLabel,
      cappedBy: reading.cappedBy,
      strainedBefore: reading.strainedBefore,
    },
    labelHistory: doc.labelHistory.filter((c) => Date.parse(c.at) <= t),
    rules,
  }
}
