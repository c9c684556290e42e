import { asJson } from '../itinerary/fact-log.js'
import type { DocumentKey, Projection, ReadModelRow } from '../projection.js'
import {
  evolveRelationshipDoc,
  evolveRelationshipDocBy,
  RELATIONSHIP_EVENT_TYPES,
  type RelationshipDoc,
  relationshipKeysOf,
} from './evolve.js'

export type { RelationshipDoc } from './evolve.js'
export type * from './items.js'
export { RELATIONSHIP_RULES, type RelationshipRules } from './rules.js'
export {
  type LabelChange,
  labelHistory,
  type Reading,
  readAt,
  scoreAt,
  type Trend,
} from './score.js'
export { type EngagementSummary, type RelationshipStatus, relationshipStatus } from './status.js'

/**
 * One row per pair (kind `relationship`, id `FR-US`): countries both of the pair, no people,
 * bounds the first and last interaction times. The row's doc names the pair only: a busy pair's
 * document is large and rewritten with every change, so it is stored once; lists read it with
 * `queryRows({ documents: true })` and compute `relationshipStatus(doc, now)` at query time.
 */
export function relationshipRows(key: DocumentKey, doc: RelationshipDoc): ReadModelRow[] {
  // The first and last of the times as strings sort, in one pass: a busy pair's items are many.
  let earliest: string | null = null
  let latest: string | null = null
  for (const i of doc.items) {
    if (i.item !== 'interaction') continue
    if (earliest === null || i.at < earliest) earliest = i.at
    if (latest === null || i.at > latest) latest = i.at
  }
  return [
    {
      kind: 'relationship',
      id: key.id,
      doc: { dyad: [...doc.dyad] },
      earliest,
      latest,
      countries: [...doc.dyad],
      people: [],
    },
  ]
}

/**
 * Relationship status: one document per pair of countries, from the coded interactions that
 * visits, calls, meetings, frictions and cooperation carry, with frictions, cooperation, the
 * analysts' assessments and the label history under `RELATIONSHIP_RULES` (stored in the doc).
 * Retracted facts leave the score; cancellations stay and their REJECT coding counts.
 */
export const relationshipStatusProjection: Projection = {
  name: 'relationship-status',
  // 2: reschedules and confirmations (which carry the pair since their schema v2) move
  // engagements.
  version: 2,
  eventTypes: RELATIONSHIP_EVENT_TYPES,
  keysOf: relationshipKeysOf,
  evolve: (doc, event, key) =>
    asJson(evolveRelationshipDoc(doc as unknown as RelationshipDoc | undefined, event, key.id)),
  evolveAll: (doc, events, key) =>
    asJson(evolveRelationshipDocBy(doc as unknown as RelationshipDoc | undefined, events, key.id)),
  rows: (key, doc) => relationshipRows(key, doc as unknown as RelationshipDoc),
  // A busy pair holds tens of thousands of items: a batch rewrites the last parts only. Parts
  // of 100 rather than 1,000: every batch rewrites each pair's last part (a rebuild wrote 1.5
  // times the model's bytes, now 1.04), and Postgres stores small values faster.
  parts: { field: 'items', size: 100 },
}
