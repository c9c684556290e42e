import { unreachable } from '../decider.js'
import { compact } from '../json.js'
import { codeInteractions } from '../relationship/interaction-coding.js'
import { checkCommand, ruleBroken, type Violations } from '../rules.js'
import { dyadsAmong } from '../values/country.js'
import { checkImpreciseTime } from '../values/imprecise-time.js'
import { checkPeople } from '../values/person.js'
import { checkQuotes } from '../values/quote.js'
import { occurredAt } from '../values/source.js'
import { checkId, checkOptionalText, checkTexts, LONG_TEXT } from '../values/text.js'
import type { CallCommand, RecordCall } from './commands.js'
import type { CallFact } from './events.js'
import type { CallState } from './types.js'

/** Checks a call's fields; shared with corrections of `CallRecorded`. */
export function checkCallFields(v: Violations, d: Partial<RecordCall['data']>): void {
  if (checkPeople(v, d.participants, '/participants', 2, 'call-needs-two-participants')) {
    const countries = new Set(d.participants!.map((p) => p.country))
    v.check(
      countries.size >= 2,
      '/participants',
      'dyad-same-country',
      'a call between officials of one country is not diplomacy',
    )
    v.check(
      d.initiatorId === undefined || d.participants!.some((p) => p.id === d.initiatorId),
      '/initiatorId',
      'call-initiator-not-participant',
      `${d.initiatorId} is not among the participants`,
    )
  }
  checkImpreciseTime(v, d.date, '/date')
  checkTexts(v, d.topics, '/topics')
  checkOptionalText(v, d.readout, '/readout', LONG_TEXT)
  checkQuotes(v, d.quotes, '/quotes')
}

/** Decides a call command. */
export function decideCall(command: CallCommand, state: CallState): CallFact[] {
  checkCommand(command, (v, { data }) => {
    checkId(v, data.callId, '/callId')
    checkCallFields(v, data)
  })
  switch (command.type) {
    case 'RecordCall': {
      if (state.status !== 'none')
        throw ruleBroken('call-already-recorded', '/callId', `call ${command.data.callId} exists`)
      const { sources } = command.metadata
      const d = command.data
      const dyads = dyadsAmong(d.participants.map((p) => p.country))
      const interactions = codeInteractions('call', dyads, occurredAt(d.date, sources))
      const data = compact({
        ...d,
        quotes: d.quotes ?? [],
        topics: d.topics ?? [],
        dyads,
        interactions,
        sources,
      })
      return [{ type: 'CallRecorded', data }]
    }
    default:
      return unreachable(command.type)
  }
}
