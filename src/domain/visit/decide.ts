import { unreachable } from '../decider.js'
import { compact, sameJson } from '../json.js'
import { codeInteraction } from '../relationship/interaction-coding.js'
import { checkCommand, notFound, ruleBroken } from '../rules.js'
import { dyadOf } from '../values/country.js'
import { epochOf, sameTime, within } from '../values/imprecise-time.js'
import { occurredAt } from '../values/source.js'
import type { VisitCommand } from './commands.js'
import type { VisitFact } from './events.js'
import type { Engagement, VisitRecord, VisitState } from './types.js'
import { checkVisitCommand } from './validate.js'

/** The scheduled visit a command needs, or the error saying why there is none. */
function activeVisit(state: VisitState, visitId: string): VisitRecord {
  if (state.status === 'none') throw notFound('visit', visitId)
  if (state.status !== 'scheduled')
    throw ruleBroken('visit-not-active', '/visitId', `visit ${visitId} is ${state.status}`)
  return state.visit
}

function engagementOf(visit: VisitRecord, engagementId: string): Engagement {
  const engagement = visit.engagements.find((e) => e.engagementId === engagementId)
  if (!engagement)
    throw ruleBroken('unknown-engagement', '/engagementId', `no engagement ${engagementId}`)
  return engagement
}

function mustFit(engagement: Engagement, visit: VisitRecord, field: string): void {
  if (!within(engagement.period, visit.period))
    throw ruleBroken(
      'engagement-outside-visit',
      field,
      `${engagement.period.edtf} is not inside the visit's period ${visit.period.edtf}`,
    )
}

/**
 * Decides a visit command: validates its input (every broken rule at once, as a
 * `ValidationError`), then the rules of the visit's state (`DomainRuleError`, `NotFoundError`).
 */
export function decideVisit(command: VisitCommand, state: VisitState): VisitFact[] {
  checkCommand(command, checkVisitCommand)
  const { sources } = command.metadata
  const { visitId } = command.data

  switch (command.type) {
    case 'ScheduleVisit': {
      if (state.status !== 'none')
        throw ruleBroken('visit-already-scheduled', '/visitId', `visit ${visitId} exists`)
      const { visitor, destination, period, purpose } = command.data
      const dyad = dyadOf(visitor.country, destination.country)
      const interaction = codeInteraction('visit-scheduled', dyad, occurredAt(undefined, sources))
      return [
        {
          type: 'VisitScheduled',
          data: compact({
            visitId,
            visitor,
            destination,
            period,
            purpose,
            delegation: command.data.delegation ?? [],
            dyad,
            interactions: [interaction],
            sources,
          }),
        },
      ]
    }
    case 'RescheduleVisit': {
      const visit = activeVisit(state, visitId)
      const { period, reason } = command.data
      if (sameTime(period, visit.period))
        throw ruleBroken('visit-period-unchanged', '/period', `the visit is already ${period.edtf}`)
      const outside = visit.engagements.filter((e) => !within(e.period, period))
      if (outside.length > 0)
        throw ruleBroken(
          'engagement-outside-visit',
          '/period',
          `engagements ${outside.map((e) => e.engagementId).join(', ')} would fall outside ${period.edtf}`,
        )
      const { dyad } = visit
      const data = { visitId, period, previousPeriod: visit.period, reason, dyad, sources }
      return [{ type: 'VisitRescheduled', data: compact(data) }]
    }
    case 'AddEngagement': {
      const visit = activeVisit(state, visitId)
      const { engagement } = command.data
      if (visit.engagements.some((e) => e.engagementId === engagement.engagementId))
        throw ruleBroken(
          'engagement-id-taken',
          '/engagement/engagementId',
          `engagement ${engagement.engagementId} exists`,
        )
      mustFit(engagement, visit, '/engagement/period')
      return [{ type: 'ItineraryEngagementAdded', data: { visitId, engagement, sources } }]
    }
    case 'ChangeEngagement': {
      const visit = activeVisit(state, visitId)
      const { engagementId, changes } = command.data
      const previous = engagementOf(visit, engagementId)
      const engagement: Engagement = compact({ ...previous, ...changes, engagementId })
      if (sameJson(engagement, previous))
        throw ruleBroken('engagement-unchanged', '/changes', 'the changes change nothing')
      mustFit(engagement, visit, '/changes/period')
      const data = { visitId, engagementId, changes, engagement, previous, sources }
      return [{ type: 'ItineraryEngagementChanged', data }]
    }
    case 'RemoveEngagement': {
      const visit = activeVisit(state, visitId)
      const { engagementId, reason } = command.data
      const engagement = engagementOf(visit, engagementId)
      const data = { visitId, engagementId, engagement, reason, sources }
      return [{ type: 'ItineraryEngagementRemoved', data }]
    }
    case 'AddDelegationMember': {
      const visit = activeVisit(state, visitId)
      const { member } = command.data
      const present = [visit.visitor.id, ...visit.delegation.map((m) => m.person.id)]
      if (present.includes(member.person.id))
        throw ruleBroken(
          'delegation-member-duplicate',
          '/member/person/id',
          `${member.person.id} is already in the delegation`,
        )
      return [{ type: 'DelegationMemberAdded', data: { visitId, member, sources } }]
    }
    case 'RemoveDelegationMember': {
      const visit = activeVisit(state, visitId)
      const { personId, reason } = command.data
      const member = visit.delegation.find((m) => m.person.id === personId)
      if (!member)
        throw ruleBroken(
          'unknown-delegation-member',
          '/personId',
          `${personId} is not in the delegation`,
        )
      return [
        { type: 'DelegationMemberRemoved', data: compact({ visitId, member, reason, sources }) },
      ]
    }
    case 'CancelVisit': {
      const visit = activeVisit(state, visitId)
      const interaction = codeInteraction(
        'visit-cancelled',
        visit.dyad,
        occurredAt(undefined, sources),
      )
      const data = {
        visitId,
        reason: command.data.reason,
        dyad: visit.dyad,
        interactions: [interaction],
        sources,
      }
      return [{ type: 'VisitCancelled', data }]
    }
    case 'CompleteVisit': {
      const visit = activeVisit(state, visitId)
      // Recorded before the visit could even have begun: nobody can know that it took place.
      const start = visit.period.earliest
      if (start !== null && epochOf(command.metadata.at) < epochOf(start))
        throw ruleBroken('visit-not-started', '/at', `the visit starts ${start}, after the command`)
      const interaction = codeInteraction(
        'visit-completed',
        visit.dyad,
        occurredAt(visit.period, sources),
      )
      const data = {
        visitId,
        period: visit.period,
        dyad: visit.dyad,
        interactions: [interaction],
        sources,
      }
      return [{ type: 'VisitCompleted', data }]
    }
    default:
      return unreachable(command)
  }
}
