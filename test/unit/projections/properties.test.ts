import fc from 'fast-check'
import t from 'tap'
import { canonicalJson, type JsonObject } from '../../../src/domain/json.js'
import type { Interaction } from '../../../src/domain/relationship/interaction-coding.js'
import type { Source } from '../../../src/domain/values/source.js'
import { PROJECTIONS } from '../../../src/projections/index.js'
import type { ProjectedEvent, Projection } from '../../../src/projections/projection.js'
import type {
  Item,
  LabelChange,
  Reading,
  RelationshipDoc,
  RelationshipRules,
} from '../../../src/projections/relationship-status/index.js'
import {
  labelHistory,
  RELATIONSHIP_RULES,
  readAt,
  relationshipStatus,
  relationshipStatusProjection,
} from '../../../src/projections/relationship-status/index.js'
import { replay, rowsOf } from '../../../src/projections/replay.js'
import { histories } from './arbitraries.js'

const RUNS = { numRuns: 60 }
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value))
/** The documents as the runner stores and reads them back: jsonb drops undefined members. */
const stored = (docs: Map<string, JsonObject>) =>
  new Map(Object.entries(asJson(Object.fromEntries(docs))))
const same = (a: Map<string, JsonObject>, b: Map<string, JsonObject>) =>
  canonicalJson([...a].sort(([x], [y]) => x.localeCompare(y))) ===
  canonicalJson([...b].sort(([x], [y]) => x.localeCompare(y)))

/** Splits the events into batches at the given cut points. */
function batches(events: ProjectedEvent[], cuts: number[]): ProjectedEvent[][] {
  const at = [...new Set(cuts.map((c) => c % (events.length + 1)))].sort((a, b) => a - b)
  return [...at, events.length].map((end, i) => events.slice(i === 0 ? 0 : at[i - 1], end))
}

t.test(
  'replaying a history gives the same documents and rows at once, one event at a time (in memory, or stored as JSON after each), or in any batches stored as JSON between them',
  async () => {
    fc.assert(
      fc.property(histories, fc.array(fc.nat(), { maxLength: 6 }), (events, cuts) => {
        for (const projection of PROJECTIONS) {
          const whole = replay(projection, events)
          let batched = new Map<string, JsonObject>()
          for (const batch of batches(events, cuts))
            batched = stored(replay(projection, batch, batched))
          let single = new Map<string, JsonObject>()
          for (const event of events) single = replay(projection, [event], single)
          // Read back after every event, a document carries nothing a fold kept in memory.
          let fresh = new Map<string, JsonObject>()
          for (const event of events) fresh = stored(replay(projection, [event], fresh))
          if (!same(whole, batched) || !same(whole, single) || !same(whole, fresh)) return false
          if (
            canonicalJson(rowsOf(projection, whole)) !== canonicalJson(rowsOf(projection, batched))
          )
            return false
        }
        return true
      }),
      RUNS,
    )
  },
)

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const member of Object.values(value)) deepFreeze(member)
  }
  return value
}

/** The projection with every document and event frozen before `evolve` and `rows` see them. */
function frozen(projection: Projection): Projection {
  return {
    ...projection,
    evolve: (doc, event, key) => {
      const before = canonicalJson(doc)
      const next = projection.evolve(deepFreeze(doc), deepFreeze(event), key)
      if (canonicalJson(doc) !== before) throw new Error('evolve changed its input')
      return next
    },
    rows: (key, doc) => projection.rows(key, deepFreeze(doc)),
  }
}

t.test('evolve never mutates the document or the event it is given', async () => {
  fc.assert(
    fc.property(histories, (events) => {
      for (const projection of PROJECTIONS) {
        const docs = replay(frozen(projection), asJson(events))
        rowsOf(frozen(projection), docs)
      }
      return true
    }),
    RUNS,
  )
})

/** The score straight from the log: the data each fact has after its corrections, if in force. */
function scoreFromLog(events: ProjectedEvent[], now: number): number {
  const facts = new Map<string, JsonObject>()
  for (const e of events) {
    const d = e.data as { target?: { eventId: string }; corrected?: JsonObject }
    if (e.type === 'FactRetracted') facts.delete(d.target!.eventId)
    else if (e.type === 'FactCorrected')
      facts.has(d.target!.eventId) && facts.set(d.target!.eventId, d.corrected!)
    else facts.set(e.eventId, e.data)
  }
  let score = 0
  for (const data of facts.values()) {
    const firstHand = ((data.sources ?? []) as unknown as Source[]).some(
      (s) => !s.derivedFrom?.length,
    )
    for (const i of (data.interactions ?? []) as unknown as Interaction[]) {
      const t = Date.parse(i.occurredAt)
      if (i.dyad.join('-') !== 'FR-US' || t > now) continue
      score += i.weight * (firstHand ? 1 : 0.8) * 2 ** (-(now - t) / (90 * 86_400_000))
    }
  }
  return score
}

t.test(
  'the FR-US score is the decayed sum over the interactions of the facts in force, as corrected, and the label history is as computed from scratch',
  async () => {
    const now = '2021-12-01T00:00:00Z'
    fc.assert(
      fc.property(histories, (events) => {
        const doc = replay(relationshipStatusProjection, events).get(
          'relationship:FR-US',
        ) as unknown as RelationshipDoc | undefined
        const expected = scoreFromLog(events, Date.parse(now))
        const found = doc ? relationshipStatus(doc, now).score : 0
        // The history that evolve keeps up incrementally is the one computed from scratch.
        const fromScratch = doc ? labelHistory(doc.items, doc.rules) : []
        const history = canonicalJson(fromScratch) === canonicalJson(doc?.labelHistory ?? [])
        return Math.abs(found - expected) < 0.001 && history
      }),
      RUNS,
    )
  },
)

/**
 * The label read at each instant of the items alone (`readAt` sums every interaction again),
 * kept where it changed: what `labelHistory` must say.
 */
function readOneByOne(items: readonly Item[], rules: RelationshipRules) {
  const instants = [
    ...new Set(
      items.flatMap((i) =>
        i.item === 'interaction' || i.item === 'friction' || i.item === 'resolution'
          ? [Date.parse(i.at)]
          : [],
      ),
    ),
  ].sort((a, b) => a - b)
  return instants
    .map((at) => readAt(items, at, rules))
    .filter((r, k, all) => k === 0 || all[k - 1]!.label !== r.label)
}

const sameReadings = (history: readonly LabelChange[], readings: readonly Reading[]) =>
  history.length === readings.length &&
  readings.every((r, k) => {
    const c = history[k]!
    return (
      c.at === r.at &&
      c.label === r.label &&
      c.trend === r.trend &&
      Math.abs(c.score - r.score) <= 0.001
    )
  })

t.test(
  'the FR-US label history changes where the label read at each instant on its own changes, and nowhere else',
  async () => {
    fc.assert(
      fc.property(histories, (events) => {
        const doc = replay(relationshipStatusProjection, events).get(
          'relationship:FR-US',
        ) as unknown as RelationshipDoc | undefined
        return !doc || sameReadings(doc.labelHistory, readOneByOne(doc.items, doc.rules))
      }),
      RUNS,
    )
  },
)

/** Interactions and frictions of one pair over a year and a half, some at the same instant. */
const pairItems = fc
  .array(
    fc.record({
      day: fc.integer({ min: 0, max: 540 }),
      weight: fc.constantFrom(-3, -1.5, -1, 1, 1.5, 2.5),
      firstHand: fc.boolean(),
      friction: fc.boolean(),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((drawn) =>
    drawn.flatMap(({ day, weight, firstHand, friction }, k): Item[] => {
      const at = new Date(Date.UTC(2021, 0, 1 + day)).toISOString()
      const origin = { eventId: `e${k}`, position: k + 1, recordedAt: at }
      const interaction: Item = {
        ...origin,
        item: 'interaction',
        kind: 'call',
        cameo: '040',
        plover: 'CONSULT',
        mode: null,
        weight,
        codingVersion: '2021.1',
        at,
        firstHand,
      }
      if (!friction) return [interaction]
      return [
        interaction,
        {
          ...origin,
          item: 'friction',
          frictionId: `f${k}`,
          title: 'friction',
          severity: 'serious',
          topics: [],
          thirdParties: [],
          at,
        },
      ]
    }),
  )

t.test(
  "a pair's label history, read in one sweep, says what reading each instant on its own says",
  async () => {
    fc.assert(
      fc.property(pairItems, (items) =>
        sameReadings(
          labelHistory(items, RELATIONSHIP_RULES),
          readOneByOne(items, RELATIONSHIP_RULES),
        ),
      ),
      { numRuns: 300 },
    )
  },
)
