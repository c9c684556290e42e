import t from 'tap'
import { codeInteraction } from '../../../src/domain/relationship/interaction-coding.js'
import type { VisitCommand, VisitEvent, VisitScheduled } from '../../../src/domain/visit/index.js'
import { visitDecider } from '../../../src/domain/visit/index.js'
import type { Engagement } from '../../../src/domain/visit/types.js'
import {
  ap,
  emhoff,
  harris,
  macron,
  meta,
  nov11,
  nov12,
  november,
  paris,
  time,
  whiteHouse,
} from './fixtures.js'
import { specFor } from './spec.js'

const visit = specFor(visitDecider)
const visitId = 'harris-paris-2021'
const sources = [whiteHouse]

const schedule = (
  data: Partial<Extract<VisitCommand, { type: 'ScheduleVisit' }>['data']> = {},
  m = meta(),
): VisitCommand => ({
  type: 'ScheduleVisit',
  data: { visitId, visitor: harris, destination: paris, period: november, ...data },
  metadata: m,
})
const scheduled: VisitScheduled = {
  type: 'VisitScheduled',
  data: {
    visitId,
    visitor: harris,
    destination: paris,
    period: november,
    delegation: [],
    dyad: ['FR', 'US'],
    interactions: [codeInteraction('visit-scheduled', ['FR', 'US'], '2021-10-22T00:00:00.000Z')],
    sources,
  },
}
const speech: Engagement = {
  engagementId: 'ppf-speech',
  kind: 'speech',
  title: 'Speech at the Paris Peace Forum',
  period: nov11,
  counterparts: [],
  status: 'confirmed',
}
const speechAdded: VisitEvent = {
  type: 'ItineraryEngagementAdded',
  data: { visitId, engagement: speech, sources },
}
const command = <T extends VisitCommand['type']>(type: T, data: object, m = meta()) =>
  ({ type, data: { visitId, ...data }, metadata: m }) as VisitCommand
const cancelled: VisitEvent = {
  type: 'VisitCancelled',
  data: { visitId, reason: 'x', dyad: ['FR', 'US'], interactions: [], sources },
}
const completed: VisitEvent = {
  type: 'VisitCompleted',
  data: { visitId, period: november, dyad: ['FR', 'US'], interactions: [], sources },
}

t.test(
  'ScheduleVisit records the visit with its dyad and an AGREE coding as of the first source',
  async (t) => {
    const state = visit(t).given([]).when(schedule()).then([scheduled])
    t.equal(state.status, 'scheduled')
  },
)

t.test('ScheduleVisit keeps the purpose and the delegation it is given', async (t) => {
  const [event] = visit(t)
    .given([])
    .when(schedule({ purpose: 'Talks', delegation: [{ person: emhoff, role: 'spouse' }] }))
    .produced()
  t.match(event?.data, { purpose: 'Talks', delegation: [{ person: { id: 'douglas-emhoff' } }] })
})

t.test('ScheduleVisit is refused for a visit that exists', async (t) => {
  visit(t).given([scheduled]).when(schedule()).thenThrows('visit-already-scheduled', '/visitId')
})

t.test('ScheduleVisit is refused for an unknown country code, naming the field', async (t) => {
  visit(t)
    .given([])
    .when(schedule({ destination: { ...paris, country: 'UK' } }))
    .thenThrows('iso-3166-1-alpha-2', '/destination/country')
})

t.test('ScheduleVisit is refused for a time zone that is not an IANA name', async (t) => {
  visit(t)
    .given([])
    .when(schedule({ destination: { ...paris, timeZone: 'CET+1' } }))
    .thenThrows('iana-time-zone', '/destination/timeZone')
})

t.test('ScheduleVisit is refused for a person id that is neither a QID nor a slug', async (t) => {
  visit(t)
    .given([])
    .when(schedule({ visitor: { ...harris, id: 'Kamala Harris' } }))
    .thenThrows('person-id', '/visitor/id')
})

t.test('ScheduleVisit is refused for a visit to the visitor’s own country', async (t) => {
  visit(t)
    .given([])
    .when(schedule({ visitor: { ...macron } }))
    .thenThrows('dyad-same-country', '/destination/country')
})

t.test('ScheduleVisit is refused for a malformed EDTF period', async (t) => {
  visit(t)
    .given([])
    .when(schedule({ period: { ...november, edtf: 'next month' } }))
    .thenThrows('edtf-format', '/period/edtf')
})

t.test('ScheduleVisit is refused for a period that ends before it starts', async (t) => {
  visit(t)
    .given([])
    .when(
      schedule({ period: { ...november, earliest: november.latest, latest: november.earliest } }),
    )
    .thenThrows('period-order', '/period')
})

t.test('ScheduleVisit is refused for a person twice in the delegation', async (t) => {
  const member = { person: emhoff }
  visit(t)
    .given([])
    .when(schedule({ delegation: [member, member] }))
    .thenThrows('delegation-member-duplicate', '/delegation/1/person/id')
})

t.test('ScheduleVisit is refused when the visitor is also listed in the delegation', async (t) => {
  visit(t)
    .given([])
    .when(schedule({ delegation: [{ person: harris }] }))
    .thenThrows('delegation-member-duplicate', '/delegation/0/person/id')
})

t.test('ScheduleVisit is refused without a source', async (t) => {
  visit(t)
    .given([])
    .when(schedule({}, meta({ sources: [] })))
    .thenThrows('source-required', '/sources')
})

t.test('ScheduleVisit is refused for a source published after the command', async (t) => {
  visit(t)
    .given([])
    .when(schedule({}, meta({ at: '2021-10-21T23:00:00Z' })))
    .thenThrows('source-published-after-command', '/sources/0/publishedAt')
})

t.test('ScheduleVisit is refused for a source url that is not http(s)', async (t) => {
  visit(t)
    .given([])
    .when(schedule({}, meta({ sources: [{ ...ap, url: 'javascript:alert(1)' }] })))
    .thenThrows('url', '/sources/0/url')
})

t.test('ScheduleVisit is refused without an actor or a command time with a zone', async (t) => {
  visit(t)
    .given([])
    .when(schedule({}, meta({ actor: ' ' })))
    .thenThrows('required', '/actor')
  visit(t)
    .given([])
    .when(schedule({}, meta({ at: '2021-10-23 09:00' })))
    .thenThrows('instant-format', '/at')
})

t.test('RescheduleVisit moves the period and remembers the previous one', async (t) => {
  const period = time('2021-11-09/2021-11-13')
  const state = visit(t)
    .given([scheduled, speechAdded])
    .when(command('RescheduleVisit', { period, reason: 'dates announced' }))
    .then([
      {
        type: 'VisitRescheduled',
        data: {
          visitId,
          period,
          previousPeriod: november,
          reason: 'dates announced',
          dyad: ['FR', 'US'],
          sources,
        },
      },
    ])
  t.equal(state.status === 'scheduled' && state.visit.period.edtf, '2021-11-09/2021-11-13')
})

t.test('RescheduleVisit is refused for a visit never scheduled', async (t) => {
  visit(t)
    .given([])
    .when(command('RescheduleVisit', { period: november }))
    .thenThrows('not-found')
})

t.test('RescheduleVisit is refused for a cancelled visit', async (t) => {
  visit(t)
    .given([scheduled, cancelled])
    .when(command('RescheduleVisit', { period: time('2021-12') }))
    .thenThrows('visit-not-active', '/visitId')
})

t.test('RescheduleVisit is refused when the period does not change', async (t) => {
  visit(t)
    .given([scheduled])
    .when(command('RescheduleVisit', { period: november }))
    .thenThrows('visit-period-unchanged', '/period')
})

t.test(
  'RescheduleVisit is refused when an engagement would fall outside the new period',
  async (t) => {
    visit(t)
      .given([scheduled, speechAdded])
      .when(command('RescheduleVisit', { period: time('2021-11-12/2021-11-13') }))
      .thenThrows('engagement-outside-visit', '/period')
  },
)

t.test('AddEngagement adds a day-precise engagement inside a month-precise visit', async (t) => {
  const state = visit(t)
    .given([scheduled])
    .when(command('AddEngagement', { engagement: speech }))
    .then([speechAdded])
  t.equal(state.status === 'scheduled' && state.visit.engagements.length, 1)
})

t.test('AddEngagement places a timed engagement by its UTC offset', async (t) => {
  const morning = { ...speech, period: time('2021-11-11T10:00:00+01:00') }
  visit(t)
    .given([scheduled])
    .when(command('AddEngagement', { engagement: morning }))
    .then([{ type: 'ItineraryEngagementAdded', data: { visitId, engagement: morning, sources } }])
  t.equal(morning.period.earliest, '2021-11-11T09:00:00.000Z')
  // Bounds are UTC: 00:30 in Paris on 1 November is 23:30 on 31 October, before the month.
  const early = { ...speech, period: time('2021-11-01T00:30:00+01:00') }
  visit(t)
    .given([scheduled])
    .when(command('AddEngagement', { engagement: early }))
    .thenThrows('engagement-outside-visit', '/engagement/period')
})

t.test('AddEngagement is refused for a date outside the visit', async (t) => {
  visit(t)
    .given([scheduled])
    .when(command('AddEngagement', { engagement: { ...speech, period: time('2021-12-01') } }))
    .thenThrows('engagement-outside-visit', '/engagement/period')
})

t.test('AddEngagement is refused for an engagement id already used', async (t) => {
  visit(t)
    .given([scheduled, speechAdded])
    .when(command('AddEngagement', { engagement: speech }))
    .thenThrows('engagement-id-taken', '/engagement/engagementId')
})

t.test('AddEngagement is refused for a kind that is not in the list', async (t) => {
  visit(t)
    .given([scheduled])
    .when(command('AddEngagement', { engagement: { ...speech, kind: 'party' } }))
    .thenThrows('one-of', '/engagement/kind')
})

t.test('AddEngagement is refused for a completed visit', async (t) => {
  visit(t)
    .given([scheduled, completed])
    .when(command('AddEngagement', { engagement: speech }))
    .thenThrows('visit-not-active', '/visitId')
})

t.test(
  'ChangeEngagement replaces the given fields and keeps the previous engagement',
  async (t) => {
    const engagement = { ...speech, period: nov12, status: 'tentative' as const }
    visit(t)
      .given([scheduled, speechAdded])
      .when(
        command('ChangeEngagement', {
          engagementId: 'ppf-speech',
          changes: { period: nov12, status: 'tentative' },
        }),
      )
      .then([
        {
          type: 'ItineraryEngagementChanged',
          data: {
            visitId,
            engagementId: 'ppf-speech',
            changes: { period: nov12, status: 'tentative' },
            engagement,
            previous: speech,
            sources,
          },
        },
      ])
  },
)

t.test('ChangeEngagement is refused for an unknown engagement', async (t) => {
  visit(t)
    .given([scheduled])
    .when(command('ChangeEngagement', { engagementId: 'nope', changes: { title: 'x' } }))
    .thenThrows('unknown-engagement', '/engagementId')
})

t.test('ChangeEngagement is refused when the changes change nothing', async (t) => {
  visit(t)
    .given([scheduled, speechAdded])
    .when(
      command('ChangeEngagement', { engagementId: 'ppf-speech', changes: { title: speech.title } }),
    )
    .thenThrows('engagement-unchanged', '/changes')
})

t.test('ChangeEngagement is refused for a new period outside the visit', async (t) => {
  visit(t)
    .given([scheduled, speechAdded])
    .when(
      command('ChangeEngagement', {
        engagementId: 'ppf-speech',
        changes: { period: time('2022') },
      }),
    )
    .thenThrows('engagement-outside-visit', '/changes/period')
})

t.test(
  'ChangeEngagement is refused without changes, or with fields that cannot change',
  async (t) => {
    visit(t)
      .given([scheduled, speechAdded])
      .when(command('ChangeEngagement', { engagementId: 'ppf-speech', changes: {} }))
      .thenThrows('changes-required', '/changes')
    visit(t)
      .given([scheduled, speechAdded])
      .when(
        command('ChangeEngagement', {
          engagementId: 'ppf-speech',
          changes: { engagementId: 'x', title: 'y' },
        }),
      )
      .thenThrows('one-of', '/changes/engagementId')
  },
)

t.test('RemoveEngagement drops the engagement and carries it for projections', async (t) => {
  const state = visit(t)
    .given([scheduled, speechAdded])
    .when(command('RemoveEngagement', { engagementId: 'ppf-speech', reason: 'forum cancelled' }))
    .then([
      {
        type: 'ItineraryEngagementRemoved',
        data: {
          visitId,
          engagementId: 'ppf-speech',
          engagement: speech,
          reason: 'forum cancelled',
          sources,
        },
      },
    ])
  t.equal(state.status === 'scheduled' && state.visit.engagements.length, 0)
})

t.test('RemoveEngagement is refused for an unknown engagement or without a reason', async (t) => {
  visit(t)
    .given([scheduled])
    .when(command('RemoveEngagement', { engagementId: 'nope', reason: 'x' }))
    .thenThrows('unknown-engagement', '/engagementId')
  visit(t)
    .given([scheduled, speechAdded])
    .when(command('RemoveEngagement', { engagementId: 'ppf-speech' }))
    .thenThrows('required', '/reason')
})

t.test('AddDelegationMember adds a companion', async (t) => {
  const member = { person: emhoff, role: 'spouse' }
  const state = visit(t)
    .given([scheduled])
    .when(command('AddDelegationMember', { member }))
    .then([{ type: 'DelegationMemberAdded', data: { visitId, member, sources } }])
  t.strictSame(state.status === 'scheduled' && state.visit.delegation, [member])
})

t.test(
  'AddDelegationMember is refused for a person already in the delegation, or the visitor',
  async (t) => {
    const added: VisitEvent = {
      type: 'DelegationMemberAdded',
      data: { visitId, member: { person: emhoff }, sources },
    }
    visit(t)
      .given([scheduled, added])
      .when(command('AddDelegationMember', { member: { person: emhoff } }))
      .thenThrows('delegation-member-duplicate', '/member/person/id')
    visit(t)
      .given([scheduled])
      .when(command('AddDelegationMember', { member: { person: harris } }))
      .thenThrows('delegation-member-duplicate', '/member/person/id')
  },
)

t.test('RemoveDelegationMember removes a companion and carries who it was', async (t) => {
  const added: VisitEvent = {
    type: 'DelegationMemberAdded',
    data: { visitId, member: { person: emhoff }, sources },
  }
  const state = visit(t)
    .given([scheduled, added])
    .when(command('RemoveDelegationMember', { personId: 'douglas-emhoff' }))
    .then([
      { type: 'DelegationMemberRemoved', data: { visitId, member: { person: emhoff }, sources } },
    ])
  t.strictSame(state.status === 'scheduled' && state.visit.delegation, [])
})

t.test('RemoveDelegationMember is refused for someone not in the delegation', async (t) => {
  visit(t)
    .given([scheduled])
    .when(command('RemoveDelegationMember', { personId: 'douglas-emhoff' }))
    .thenThrows('unknown-delegation-member', '/personId')
})

t.test('CancelVisit records that the visit will not happen, coded as REJECT', async (t) => {
  const state = visit(t)
    .given([scheduled])
    .when(command('CancelVisit', { reason: 'COVID-19' }))
    .then([
      {
        type: 'VisitCancelled',
        data: {
          visitId,
          reason: 'COVID-19',
          dyad: ['FR', 'US'],
          interactions: [
            codeInteraction('visit-cancelled', ['FR', 'US'], '2021-10-22T00:00:00.000Z'),
          ],
          sources,
        },
      },
    ])
  t.equal(state.status, 'cancelled')
})

t.test('CancelVisit is refused for a visit already cancelled or without a reason', async (t) => {
  visit(t)
    .given([scheduled, cancelled])
    .when(command('CancelVisit', { reason: 'x' }))
    .thenThrows('visit-not-active', '/visitId')
  visit(t).given([scheduled]).when(command('CancelVisit', {})).thenThrows('required', '/reason')
})

t.test('CompleteVisit records the visit as held, coded CONSULT:visit at its start', async (t) => {
  const m = meta({ at: '2021-11-15T10:00:00Z' })
  const state = visit(t)
    .given([scheduled])
    .when(command('CompleteVisit', {}, m))
    .then([
      {
        type: 'VisitCompleted',
        data: {
          visitId,
          period: november,
          dyad: ['FR', 'US'],
          interactions: [codeInteraction('visit-completed', ['FR', 'US'], november.earliest!)],
          sources,
        },
      },
    ])
  t.equal(state.status, 'completed')
})

t.test('CompleteVisit is refused before the visit could have started', async (t) => {
  visit(t)
    .given([scheduled])
    .when(command('CompleteVisit', {}))
    .thenThrows('visit-not-started', '/at')
})

t.test('CompleteVisit is refused for a cancelled visit', async (t) => {
  visit(t)
    .given([scheduled, cancelled])
    .when(command('CompleteVisit', {}, meta({ at: '2021-12-01T00:00:00Z' })))
    .thenThrows('visit-not-active', '/visitId')
})
