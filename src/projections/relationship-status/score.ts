import type { RelationshipLabel } from '../../domain/relationship/types.js'
import type { FrictionItem, InteractionItem, Item } from './items.js'
import type { RelationshipRules } from './rules.js'

const DAY = 86_400_000

export type Trend = 'up' | 'down' | 'flat'

/** The pair's state at one instant under the rules, with the reasons for its label. */
export interface Reading {
  at: string
  score: number
  /** S(t) − S(t − trend window). */
  trendDelta: number
  trend: Trend
  label: RelationshipLabel
  /** The label by score thresholds alone. */
  thresholdLabel: RelationshipLabel
  /** The open frictions that cap the label at strained (none when the score overrides them). */
  cappedBy: string[]
  /** Whether the pair was strained at the start of the trend window. */
  strainedBefore: boolean
}

/** A label change in the history: the reading at the interaction time when it changed. */
export interface LabelChange {
  at: string
  label: RelationshipLabel
  score: number
  trend: Trend
  /** The events whose items fall at this instant. */
  eventIds: string[]
}

/** Three decimals: enough to read, and free of floating-point noise in stored documents. */
const round = (x: number) => Math.round(x * 1000) / 1000 + 0

/** cᵢ: see `RelationshipRules.confidence`. */
export function confidence(i: InteractionItem, rules: RelationshipRules): number {
  return i.firstHand ? rules.confidence.firstHand : rules.confidence.secondHand
}

/** The items the score and label read, with their times parsed once (epoch ms). */
interface Prepared {
  interactions: { ms: number; value: number }[]
  frictions: { ms: number; id: string; severity: string }[]
  /** The earliest resolution of each friction resolved. */
  resolved: Map<string, number>
}

type Timed = Extract<Item, { item: 'interaction' | 'friction' | 'resolution' }>
const isTimed = (i: Item): i is Timed =>
  i.item === 'interaction' || i.item === 'friction' || i.item === 'resolution'

/**
 * The items as the score and label read them; when `eventsAt` is given, also the events of
 * each instant of an interaction, friction or resolution, in item order (for the history).
 */
function prepare(
  items: readonly Item[],
  rules: RelationshipRules,
  eventsAt?: Map<number, Set<string>>,
): Prepared {
  const p: Prepared = { interactions: [], frictions: [], resolved: new Map() }
  for (const i of items) {
    if (!isTimed(i)) continue
    const ms = Date.parse(i.at)
    eventsAt?.set(ms, (eventsAt.get(ms) ?? new Set()).add(i.eventId))
    if (i.item === 'interaction')
      p.interactions.push({ ms, value: i.weight * confidence(i, rules) })
    else if (i.item === 'friction') p.frictions.push({ ms, id: i.frictionId, severity: i.severity })
    else p.resolved.set(i.frictionId, Math.min(ms, p.resolved.get(i.frictionId) ?? Infinity))
  }
  return p
}

function scoreOf(p: Prepared, t: number, rules: RelationshipRules): number {
  const halfLife = rules.halfLifeDays * DAY
  let score = 0
  for (const { ms, value } of p.interactions)
    if (ms <= t) score += value * 2 ** (-(t - ms) / halfLife)
  return score
}

/**
 * S at each time of each of `series` (each ascending, epoch ms), a series in one pass over the
 * interactions' instants in order: the score at the time before, decayed to this one, plus the
 * interactions in between. The same S(t) as `scoreOf` but for the last bits of the floating
 * point, in time linear in the items and times, where reading each time alone takes their
 * product.
 */
function scoresAt(
  p: Prepared,
  series: readonly (readonly number[])[],
  rules: RelationshipRules,
): number[][] {
  const halfLife = rules.halfLifeDays * DAY
  // The interactions at one instant decay together: their values are summed once.
  const sums = new Map<number, number>()
  for (const { ms, value } of p.interactions) sums.set(ms, (sums.get(ms) ?? 0) + value)
  const instants = [...sums.keys()].sort((a, b) => a - b)
  return series.map((times) => {
    const scores: number[] = []
    let score = 0
    let at = -Infinity
    let next = 0
    for (const t of times) {
      if (score !== 0) score *= 2 ** (-(t - at) / halfLife)
      for (; next < instants.length && instants[next]! <= t; next++) {
        const ms = instants[next]!
        score += sums.get(ms)! * 2 ** (-(t - ms) / halfLife)
      }
      scores.push(score)
      at = t
    }
    return scores
  })
}

/** S(t) = Σ wᵢ·cᵢ·2^(−(t−tᵢ)/half-life) over the interactions with tᵢ ≤ t (epoch ms). */
export function scoreAt(items: readonly Item[], t: number, rules: RelationshipRules): number {
  return scoreOf(prepare(items, rules), t, rules)
}

/** The frictions open at t: begun by then and not resolved by then. */
export function openFrictionsAt(items: readonly Item[], t: number): FrictionItem[] {
  const resolved = new Set(
    items.flatMap((i) => (i.item === 'resolution' && Date.parse(i.at) <= t ? [i.frictionId] : [])),
  )
  return items.filter(
    (i): i is FrictionItem =>
      i.item === 'friction' && Date.parse(i.at) <= t && !resolved.has(i.frictionId),
  )
}

function thresholdLabel(score: number, rules: RelationshipRules): RelationshipLabel {
  const { strainedBelow, closeFrom } = rules.thresholds
  return score < strainedBelow ? 'strained' : score >= closeFrom ? 'close' : 'normal'
}

/** The frictions that cap the label at t: open, serious enough, recent, score not high. */
function caps(p: Prepared, t: number, score: number, rules: RelationshipRules): string[] {
  const { severities, windowDays, unlessScoreFrom } = rules.friction
  if (score >= unlessScoreFrom) return []
  const open = (id: string) => !((p.resolved.get(id) ?? Infinity) <= t)
  return p.frictions
    .filter(
      (f) =>
        f.ms <= t &&
        t - f.ms <= windowDays * DAY &&
        (severities as string[]).includes(f.severity) &&
        open(f.id),
    )
    .map((f) => f.id)
}

/** The reading at t, from the scores at t and at the start of the trend window. */
function read(
  p: Prepared,
  t: number,
  rules: RelationshipRules,
  score = scoreOf(p, t, rules),
  earlier = scoreOf(p, t - rules.trend.windowDays * DAY, rules),
): Reading {
  const before = t - rules.trend.windowDays * DAY
  const delta = score - earlier
  const band = rules.trend.flatBand
  const trend: Trend = delta > band ? 'up' : delta < -band ? 'down' : 'flat'
  const byScore = thresholdLabel(score, rules)
  const cappedBy = caps(p, t, score, rules)
  const strainedNow = byScore === 'strained' || cappedBy.length > 0
  const strainedBefore =
    thresholdLabel(earlier, rules) === 'strained' || caps(p, before, earlier, rules).length > 0
  const label: RelationshipLabel =
    trend === 'up' && (strainedNow || strainedBefore) && byScore !== 'close'
      ? 'recovering'
      : strainedNow
        ? 'strained'
        : byScore
  return {
    at: new Date(t).toISOString(),
    score: round(score),
    trendDelta: round(delta),
    trend,
    label,
    thresholdLabel: byScore,
    cappedBy,
    strainedBefore,
  }
}

/** The reading at instant `t` (epoch ms): score, trend, label and the label's reasons. */
export function readAt(items: readonly Item[], t: number, rules: RelationshipRules): Reading {
  return read(prepare(items, rules), t, rules)
}

/** The earliest instant (epoch ms) of the items that move the score or label; Infinity if none. */
export function earliestTimed(items: readonly Item[]): number {
  return Math.min(Infinity, ...items.filter(isTimed).map((i) => Date.parse(i.at)))
}

/**
 * The label as of each instant at which an interaction, friction or resolution happened, kept
 * where it changed. A pure function of the items: the same after any correction, in any order.
 * A reading depends only on items up to its instant, so `previous` (the history before the
 * items changed) is kept before `since` (epoch ms) and only later instants are read again.
 * The scores come from one sweep over the interactions (`scoresAt`); the frictions that may
 * cap the label are still looked over at each instant read.
 */
export function labelHistory(
  items: readonly Item[],
  rules: RelationshipRules,
  previous: readonly LabelChange[] = [],
  since = -Infinity,
): LabelChange[] {
  const eventsAt = new Map<number, Set<string>>()
  const p = prepare(items, rules, eventsAt)
  const instants = [...eventsAt.keys()].sort((a, b) => a - b)
  // The scores at every instant, not only from `since`: the sums then go the same way whether
  // the history is read again from `since` or from scratch, to the last bit.
  const window = rules.trend.windowDays * DAY
  const [scores = [], earlier = []] = scoresAt(
    p,
    [instants, instants.map((t) => t - window)],
    rules,
  )
  const changes = previous.filter((c) => Date.parse(c.at) < since)
  instants.forEach((t, k) => {
    if (t < since) return
    const { at, label, score, trend } = read(p, t, rules, scores[k], earlier[k])
    if (changes.at(-1)?.label === label) return
    changes.push({ at, label, score, trend, eventIds: [...eventsAt.get(t)!] })
  })
  return changes
}
