import { unreachable } from '../decider.js'
import { checkCommand, ruleBroken, type Violations } from '../rules.js'
import { checkCountry } from '../values/country.js'
import { checkImpreciseTime } from '../values/imprecise-time.js'
import { isPersonId } from '../values/person.js'
import { checkQuotes } from '../values/quote.js'
import {
  checkEach,
  checkId,
  checkObject,
  checkOneOf,
  checkText,
  checkTexts,
} from '../values/text.js'
import type { PublishStatement, StatementCommand } from './commands.js'
import type { StatementFact } from './events.js'
import {
  type Issuer,
  STATEMENT_KINDS,
  type StatementState,
  type StatementSubject,
} from './types.js'

const SUBJECTS = ['call', 'meeting', 'visit'] as const

/** Checks a statement's fields; shared with corrections of `StatementPublished`. */
export function checkStatementFields(v: Violations, d: Partial<PublishStatement['data']>): void {
  checkOneOf(v, d.kind, STATEMENT_KINDS, '/kind')
  if (checkObject(v, d.issuer, '/issuer')) {
    const issuer = d.issuer as Partial<Issuer>
    checkText(v, issuer.name, '/issuer/name')
    checkCountry(v, issuer.country, '/issuer/country')
    v.check(
      issuer.personId === undefined || isPersonId(issuer.personId),
      '/issuer/personId',
      'person-id',
      'must be a Wikidata QID or a slug',
    )
  }
  checkText(v, d.title, '/title')
  checkImpreciseTime(v, d.date, '/date')
  checkTexts(v, d.topics, '/topics')
  checkQuotes(v, d.quotes, '/quotes')
  checkEach(v, d.relatesTo, '/relatesTo', (s, f) => {
    const subject = (s ?? {}) as Partial<StatementSubject>
    checkOneOf(v, subject.aggregate, SUBJECTS, `${f}/aggregate`)
    checkId(v, subject.id, `${f}/id`)
  })
}

/** Decides a statement command. */
export function decideStatement(command: StatementCommand, state: StatementState): StatementFact[] {
  checkCommand(command, (v, { data }) => {
    checkId(v, data.statementId, '/statementId')
    checkStatementFields(v, data)
  })
  switch (command.type) {
    case 'PublishStatement': {
      const d = command.data
      if (state.status !== 'none')
        throw ruleBroken(
          'statement-already-published',
          '/statementId',
          `statement ${d.statementId} exists`,
        )
      const data = {
        ...d,
        topics: d.topics ?? [],
        quotes: d.quotes ?? [],
        relatesTo: d.relatesTo ?? [],
        sources: command.metadata.sources,
      }
      return [{ type: 'StatementPublished', data }]
    }
    default:
      return unreachable(command.type)
  }
}
