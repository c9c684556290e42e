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

  /** Stops listening and ends the sleep in progress and every later one at once. */
  close(): void {
    this.#closed = true
    this.#unsubscribe()
    this.#wake?.()
  }
}
