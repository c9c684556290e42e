import type { AppendNotifications } from './connection.js'

/**
 * What a reader of the log sleeps on once it has caught up: an append announced, or the poll
 * interval passed, whichever comes first. Announcements only wake it early; an event committed
 * without one (a lost notification, another writer) is found by polling. An announcement that
 * comes while the reader is busy is remembered, so its next sleep returns at once.
 */
export class AppendWaiter {
  #pending = false
  #closed = false
  #wake: (() => void) | undefined
  #retryMs = 0
  readonly #unsubscribe: () => void

  constructor(notifications: AppendNotifications) {
    this.#unsubscribe = notifications.onAppend(() => {
      this.#pending = true
      this.#wake?.()
    })
  }

  /** Forgets the announcements so far: call it just before reading the log. */
  clear(): void {
    this.#pending = false
  }

  /** Resolves after `ms`, or sooner on an announcement or `close`. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#pending || this.#closed) return resolve()
      const done = () => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#wake = done
    })
  }

  /**
   * What a reader does once a read has caught up: `sleep(pollMs)`, unless committed events
   * were held back behind an older transaction (`AllSlice.heldBack`). That transaction may be
   * no append (a read-model write, a backup, another database's work) and announce nothing
   * when it ends, while the held events' announcement is already spent: look again soon,
   * backing off from 10 ms to the poll interval.
   */
  idle(pollMs: number, heldBack: boolean): Promise<void> {
    if (!heldBack) {
      this.#retryMs = 0
      return this.sleep(pollMs)
    }
    this.#retryMs = Math.min(pollMs, this.#retryMs === 0 ? 10 : this.#retryMs * 2)
    return this.sleep(this.#retryMs)
  }

  /** Stops listening and ends the sleep in progress and every later one at once. */
  close(): void {
    this.#closed = true
    this.#unsubscribe()
    this.#wake?.()
  }
}
