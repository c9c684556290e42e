import type { JsonObject } from '../domain/json.js'

/**
 * An event as projections see it: its data upcast to the current schema, with where and
 * when it was recorded. Not its metadata (who recorded it, and why): a read model is made of
 * what the events say, and reads them without it (`readAll`'s `lean`).
 */
export interface ProjectedEvent {
  eventId: string
  streamId: string
  streamVersion: number
  globalPosition: number
  /** When the log recorded it (RFC 3339); as-of reads replay events up to a recorded time. */
  recordedAt: string
  type: string
  data: JsonObject
}

/** A document of a read model: e.g. `{ kind: 'visit', id: '<visitId>' }`. */
export interface DocumentKey {
  kind: string
  id: string
}

/**
 * A row derived from a document, for filtering and ordering in SQL: the runner replaces all
 * rows of a document whenever the document changes. Instants are RFC 3339 in UTC.
 */
export interface ReadModelRow {
  kind: string
  id: string
  doc: JsonObject
  /** Earliest and latest instants of the row's time, for date-range filters and ordering. */
  earliest?: string | null
  latest?: string | null
  /** ISO 3166-1 alpha-2 codes the row concerns (both sides of a visit, a call's parties). */
  countries?: string[]
  /** Person ids (QIDs or slugs) the row concerns. */
  people?: string[]
}

/**
 * A read model: which events it reads, which documents each event touches, a pure `evolve`
 * per document, and the rows each document shows to queries. The same functions serve live
 * updates, rebuilds from zero, and as-of reads (replay in memory up to a recorded time).
 */
export interface Projection<Doc extends JsonObject = JsonObject> {
  name: string
  /** Raise when evolve or rows change: the stored model is rebuilt from the log. */
  version: number
  eventTypes: readonly string[]
  keysOf(event: ProjectedEvent): DocumentKey[]
  /** The document after the event; undefined removes it. Pure; never mutates `doc`. */
  evolve(doc: Doc | undefined, event: ProjectedEvent, key: DocumentKey): Doc | undefined
  /**
   * The document after `events` in order, all of them touching `key`: the same as `evolve`
   * one event at a time, for models that can do it with less work (rebuilds bring a busy
   * document thousands of events at once). Optional.
   */
  evolveAll?(
    doc: Doc | undefined,
    events: readonly ProjectedEvent[],
    key: DocumentKey,
  ): Doc | undefined
  rows(key: DocumentKey, doc: Doc): ReadModelRow[]
  /**
   * Store the array member `field` of a document in parts of `size` elements, each rewritten
   * only when one of its elements is not the very object loaded (evolve keeps the elements it
   * does not change): a document that grows with the log is then not rewritten whole by every
   * batch. Storage only: evolve, rows and queries see the whole document. Optional.
   */
  parts?: { field: string; size: number }
  /**
   * Events a rebuild applies per transaction (the runner's `rebuildBatchSize` when the runner
   * is given one; else this; else 50,000). Every batch rewrites the documents its events touch,
   * and waits at its end for the server to store the last of them: a model of a few documents
   * that grow with the log (a pair's relationship, whose label history a batch reads again from
   * its earliest change) wants few large batches, and so, since the writes go on while the next
   * documents are folded, does a model of many small ones (README, _Read models_). Optional.
   */
  rebuildBatchSize?: number
}
