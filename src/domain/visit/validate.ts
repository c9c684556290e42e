import type { Violations } from '../rules.js'
import { checkImpreciseTime } from '../values/imprecise-time.js'
import { checkPeople, checkPerson } from '../values/person.js'
import { checkPlace } from '../values/place.js'
import {
  checkEach,
  checkId,
  checkObject,
  checkOneOf,
  checkOptionalText,
  checkText,
  optional,
} from '../values/text.js'
import type { VisitCommand } from './commands.js'
import {
  type DelegationMember,
  ENGAGEMENT_KINDS,
  ENGAGEMENT_STATUSES,
  type Engagement,
} from './types.js'

const ENGAGEMENT_FIELDS = ['kind', 'title', 'period', 'place', 'counterparts', 'status'] as const

/** Checks the fields of an engagement that are present; `whole` requires the required ones. */
export function checkEngagementFields(
  v: Violations,
  value: Partial<Engagement>,
  field: string,
  whole: boolean,
): void {
  const has = (key: keyof Engagement) => whole || value[key] !== undefined
  if (has('kind')) checkOneOf(v, value.kind, ENGAGEMENT_KINDS, `${field}/kind`)
  if (has('title')) checkText(v, value.title, `${field}/title`)
  if (has('period')) checkImpreciseTime(v, value.period, `${field}/period`)
  optional(checkPlace)(v, value.place, `${field}/place`)
  if (has('counterparts')) checkPeople(v, value.counterparts, `${field}/counterparts`, 0)
  if (has('status')) checkOneOf(v, value.status, ENGAGEMENT_STATUSES, `${field}/status`)
}

/** Checks a whole engagement, id included. */
export function checkEngagement(v: Violations, value: unknown, field: string): void {
  if (!checkObject(v, value, field)) return
  const e = value as Partial<Engagement>
  checkId(v, e.engagementId, `${field}/engagementId`)
  checkEngagementFields(v, e, field, true)
}

export function checkMember(v: Violations, value: unknown, field: string): boolean {
  if (!checkObject(v, value, field)) return false
  const m = value as Partial<DelegationMember>
  const ok = checkPerson(v, m.person, `${field}/person`)
  return checkOptionalText(v, m.role, `${field}/role`) && ok
}

/** Checks a delegation list: valid members, none twice, and not the visitor. */
export function checkDelegation(
  v: Violations,
  value: unknown,
  field: string,
  visitorId: string | undefined,
): void {
  const seen = new Set(visitorId ? [visitorId] : [])
  checkEach(v, value, field, (m, f) => {
    if (!checkMember(v, m, f)) return
    const id = (m as DelegationMember).person.id
    v.check(!seen.has(id), `${f}/person/id`, 'delegation-member-duplicate', `${id} is listed twice`)
    seen.add(id)
  })
}

/** Checks a visit command's data: the rules that need no state. */
export function checkVisitCommand(v: Violations, command: VisitCommand): void {
  const d = command.data as Record<string, unknown>
  checkId(v, d.visitId, '/visitId')
  switch (command.type) {
    case 'ScheduleVisit': {
      const { visitor, destination } = command.data
      const visitorOk = checkPerson(v, visitor, '/visitor')
      const placeOk = checkPlace(v, destination, '/destination')
      if (visitorOk && placeOk)
        v.check(
          visitor.country !== destination.country,
          '/destination/country',
          'dyad-same-country',
          'a visit goes to another country than the visitor acts for',
        )
      checkImpreciseTime(v, command.data.period, '/period')
      checkOptionalText(v, command.data.purpose, '/purpose')
      checkDelegation(v, command.data.delegation, '/delegation', visitorOk ? visitor.id : undefined)
      return
    }
    case 'RescheduleVisit':
      checkImpreciseTime(v, command.data.period, '/period')
      checkOptionalText(v, command.data.reason, '/reason')
      return
    case 'AddEngagement':
      checkEngagement(v, command.data.engagement, '/engagement')
      return
    case 'ChangeEngagement': {
      checkId(v, command.data.engagementId, '/engagementId')
      const changes = command.data.changes
      if (!checkObject(v, changes, '/changes')) return
      const keys = Object.keys(changes)
      for (const key of keys.filter((k) => !ENGAGEMENT_FIELDS.includes(k as never)))
        v.add(`/changes/${key}`, 'one-of', `is not a field of an engagement that can change`)
      const known = keys.filter((k) => ENGAGEMENT_FIELDS.includes(k as never))
      if (
        v.check(
          known.length > 0,
          '/changes',
          'changes-required',
          `give at least one of ${ENGAGEMENT_FIELDS.join(', ')}`,
        )
      )
        checkEngagementFields(v, changes, '/changes', false)
      return
    }
    case 'RemoveEngagement':
      checkId(v, command.data.engagementId, '/engagementId')
      checkText(v, command.data.reason, '/reason')
      return
    case 'AddDelegationMember':
      checkMember(v, command.data.member, '/member')
      return
    case 'RemoveDelegationMember':
      checkId(v, command.data.personId, '/personId')
      checkOptionalText(v, command.data.reason, '/reason')
      return
    case 'CancelVisit':
      checkText(v, command.data.reason, '/reason')
      return
    case 'CompleteVisit':
      return
  }
}
