import type { Violations } from '../rules.js'
import { isPersonId } from './person.js'
import { checkEach, checkObject, checkText, LONG_TEXT } from './text.js'

/** A passage quoted from a readout or statement. */
export interface Quote {
  /** Verbatim. */
  text: string
  /** The person it is attributed to, when it is theirs (a Wikidata QID or slug). */
  speakerId?: string
}

export function checkQuotes(v: Violations, value: unknown, field: string): void {
  checkEach(v, value, field, (q, f) => {
    if (!checkObject(v, q, f)) return
    const quote = q as Partial<Quote>
    checkText(v, quote.text, `${f}/text`, LONG_TEXT)
    v.check(
      quote.speakerId === undefined || isPersonId(quote.speakerId),
      `${f}/speakerId`,
      'person-id',
      'must be a Wikidata QID or a slug',
    )
  })
}
