import type { JsonObject } from '../domain/json.js'
import type { DocumentKey, ProjectedEvent, Projection, ReadModelRow } from './projection.js'

/** A document's key as one string, `kind:id` (kinds have no colon; ids may). */
export function docKey(key: DocumentKey): string {
  return `${key.kind}:${key.id}`
}

/** The key that `docKey` wrote. */
export function parseDocKey(text: string): DocumentKey {
  const i = text.indexOf(':')
  return { kind: text.slice(0, i), id: text.slice(i + 1) }
}

/** The document after `events` (all touching `key`), by `evolveAll` or `evolve` in turn. */
export function evolveDocument<Doc extends JsonObject>(
  projection: Projection<Doc>,
  doc: Doc | undefined,
  events: readonly ProjectedEvent[],
  key: DocumentKey,
): Doc | undefined {
  if (projection.evolveAll) return projection.evolveAll(doc, events, key)
  return events.reduce<Doc | undefined>((d, event) => projection.evolve(d, event, key), doc)
}

/** The events of each document they touch (each key once per event), in log order. */
export function eventsByDocument<Doc extends JsonObject>(
  projection: Projection<Doc>,
  events: readonly ProjectedEvent[],
): Map<string, { key: DocumentKey; events: ProjectedEvent[] }> {
  const byDocument = new Map<string, { key: DocumentKey; events: ProjectedEvent[] }>()
  for (const event of events) {
    if (!projection.eventTypes.includes(event.type)) continue
    const keys = new Map(projection.keysOf(event).map((k) => [docKey(k), k]))
    for (const [text, key] of keys) {
      const entry = byDocument.get(text) ?? { key, events: [] }
      entry.events.push(event)
      byDocument.set(text, entry)
    }
  }
  return byDocument
}

/**
 * Applies `events` in order to the documents `from` (none by default), exactly as the runner
 * does: events of other types are skipped; for each key of `keysOf` (once each), `evolve` gives
 * the new document, and undefined removes it. Returns new maps; `from` is left as it was.
 * Replaying in batches, each from the last result, gives the same documents as all at once.
 *
 * @example replay(itineraryProjection, events).get('visit:v1')
 */
export function replay<Doc extends JsonObject>(
  projection: Projection<Doc>,
  events: readonly ProjectedEvent[],
  from: ReadonlyMap<string, Doc> = new Map(),
): Map<string, Doc> {
  const docs = new Map(from)
  // Documents evolve independently of each other: each takes its events at once.
  for (const [text, { key, events: its }] of eventsByDocument(projection, events)) {
    const next = evolveDocument(projection, docs.get(text), its, key)
    if (next === undefined) docs.delete(text)
    else docs.set(text, next)
  }
  return docs
}

/**
 * The documents as the record stood at recorded time `asOf` (RFC 3339): the same evolve,
 * replayed over the events recorded up to and including it.
 */
export function replayAsOf<Doc extends JsonObject>(
  projection: Projection<Doc>,
  events: readonly ProjectedEvent[],
  asOf: string,
): Map<string, Doc> {
  const until = Date.parse(asOf)
  return replay(
    projection,
    events.filter((e) => Date.parse(e.recordedAt) <= until),
  )
}

/** Every row of the documents, as the runner would store them, in key order. */
export function rowsOf<Doc extends JsonObject>(
  projection: Projection<Doc>,
  docs: ReadonlyMap<string, Doc>,
): ReadModelRow[] {
  return [...docs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([text, doc]) => projection.rows(parseDocKey(text), doc))
}
