import type { AppendNotifications } from './connection.js'

/**
 * How a reader of the log waits for more: it sleeps until an append is notified or a poll
 * interval passes, whichever comes first. An append notified while the reader was reading
 * (after `clear()`) makes the next sleep return at once, so no wake-up is missed between a
 * read that found nothing and the sleep after it.
 *
 * @example
 * const alarm = new AppendAlarm(log.notifications)
 * while (running) { alarm.clear(); const slice = await readAll(...); if (slice.caughtUp) await alarm.sleep(1000) }
 * alarm.close()
 */
export class AppendAlarm {
  #pending = false
  #stopped = false
  #wake: (() => void) | undefined
  readonly #unsubscribe: () => void

  constructor(notifications: AppendNotifications) {
    this.#unsubscribe = notifications.onAppend(() => {
      this.#pending = true
      this.#wake?.()
    })
  }

  /** Forgets earlier notifications: call just before reading the log. */
  clear(): void {
    this.#pending = false
  }

  /** Resolves after `ms`, or at once on an append (or one notified since `clear()`), or on `close()`. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#pending || this.#stopped) return resolve()
      const done = () => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#wake = done
    })
  }

  /** Stops listening and wakes a sleeper for good. */
  close(): void {
    this.#stopped = true
    this.#unsubscribe()
    this.#wake?.()
  }
}
