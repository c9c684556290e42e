import { LRUCache } from 'lru-cache'
import type { JsonObject } from '../domain/json.js'
import type { ReadModelChange, ReadModelNotifications } from '../eventstore/index.js'

/** A read model's document as last read, with the version of the stream it reflects. */
export interface CachedDocument {
  doc: JsonObject
  version: number
  streamId: string
}

/** Where a read stood when it started: a result is kept only if nothing changed meanwhile. */
export type ReadTicket = number

export interface DocumentCacheStats {
  hits: number
  misses: number
  /** Documents now held, and their stored size in bytes (what the budget counts). */
  documents: number
  bytes: number
}

/**
 * Documents of the read models' active generations that this process read lately, so that a
 * read of a hot document does not make a round trip to Postgres. A document is forgotten when
 * a committed batch changes it: the runner of this process says so right after its commit,
 * and every process hears it from the NOTIFY the batch sends inside its transaction. While
 * this process is not listening (its LISTEN session dropped), nothing is served from memory,
 * and everything is forgotten when it listens again.
 *
 * A read that started before a change and ends after it must not keep what it read: each
 * change moves the projection's counter on, and `keep` compares it with the ticket the read
 * took before its query.
 */
export class DocumentCache {
  readonly #notifications: ReadModelNotifications
  readonly #entries: LRUCache<string, CachedDocument & { bytes: number }>
  /** Per projection, how many of its changes were heard; `#resets`: changes of everything. */
  readonly #changes = new Map<string, number>()
  #resets = 0
  #hits = 0
  #misses = 0
  readonly #unsubscribe: () => void

  constructor(notifications: ReadModelNotifications, maxBytes: number) {
    this.#notifications = notifications
    this.#entries = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
    })
    this.#unsubscribe = notifications.onChange((change) => this.#forget(change))
  }

  #forget(change: ReadModelChange): void {
    const { projection, keys } = change
    if (projection === undefined) {
      this.#resets++
      this.#entries.clear()
      return
    }
    this.#changes.set(projection, (this.#changes.get(projection) ?? 0) + 1)
    if (keys) {
      for (const key of keys) this.#entries.delete(`${projection}\u0000${key}`)
      return
    }
    const prefix = `${projection}\u0000`
    for (const key of [...this.#entries.keys()])
      if (key.startsWith(prefix)) this.#entries.delete(key)
  }

  /** The document of `key` (`kind` NUL `id`) as last read, if nothing changed it since. */
  get(projection: string, key: string, streamId: string): CachedDocument | undefined {
    const entry = this.#notifications.complete
      ? this.#entries.get(`${projection}\u0000${key}`)
      : undefined
    if (entry && entry.streamId === streamId) {
      this.#hits++
      return entry
    }
    this.#misses++
    return undefined
  }

  /** Taken before reading a document of `projection` from the store. */
  ticket(projection: string): ReadTicket {
    // Both counts only grow: their sum moves whenever either does.
    return (this.#changes.get(projection) ?? 0) + this.#resets
  }

  /** Remembers what a read found, unless a change of its projection came in meanwhile. */
  keep(
    projection: string,
    key: string,
    entry: CachedDocument,
    bytes: number,
    ticket: ReadTicket,
  ): void {
    if (!this.#notifications.complete || this.ticket(projection) !== ticket) return
    this.#entries.set(`${projection}\u0000${key}`, { ...entry, bytes })
  }

  stats(): DocumentCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      documents: this.#entries.size,
      bytes: this.#entries.calculatedSize,
    }
  }

  close(): void {
    this.#unsubscribe()
    this.#entries.clear()
  }
}
