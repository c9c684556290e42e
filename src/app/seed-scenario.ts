import type { Routed } from '../domain/deciders.js'
import type { Person } from '../domain/values/person.js'
import type { Place } from '../domain/values/place.js'
import type { Source } from '../domain/values/source.js'
import type { Engagement } from '../domain/visit/types.js'
import { parseImpreciseTime } from './imprecise-time.js'

/**
 * The reference case (shared/reference/seed-article.txt, 23 October 2021) as commands: every fact
 * of the article, each on the source it comes from. The White House readout of the Biden–Macron
 * call of Friday 22 October is the primary source; The Associated Press, which the article cites
 * for the itinerary and Emhoff, relies on it. Dates are as precise as the article is, no more:
 * the visit is "next month" (2021-11) and the Rome meeting "later this month", not the G20's
 * known 30–31 October.
 */
export interface SeedOptions {
  /** Ids for the call, statement, visit, engagements, meeting and friction. */
  newId: () => string
  actor: string
  /** When the commands are issued; by default the day the article was published. */
  at?: string
}

const ARTICLE_DATE = '2021-10-23'
const CALL_DATE = '2021-10-22'

const harris: Person = {
  id: 'Q10853588',
  name: 'Kamala Harris',
  office: 'Vice President of the United States',
  country: 'US',
}
const macron: Person = {
  id: 'Q3052772',
  name: 'Emmanuel Macron',
  office: 'President of France',
  country: 'FR',
}
const biden: Person = {
  id: 'Q6279',
  name: 'Joe Biden',
  office: 'President of the United States',
  country: 'US',
}
// No QID: we could not confirm Emhoff's Wikidata id, and a wrong one is worse than a slug.
const emhoff: Person = {
  id: 'douglas-emhoff',
  name: 'Douglas Emhoff',
  office: 'Second Gentleman of the United States',
  country: 'US',
}
const paris: Place = { city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' }
const rome: Place = { city: 'Rome', country: 'IT', timeZone: 'Europe/Rome' }

// Titles in [brackets] are supplied, per citation practice: the article quotes the release and
// the AP story without their titles or addresses, and we do not guess them.
const WH_TITLE = "[Readout of President Biden's call with President Emmanuel Macron of France]"
const whiteHouse = (quote?: string): Source => ({
  publisher: 'The White House',
  title: WH_TITLE,
  publishedAt: CALL_DATE,
  ...(quote ? { quote } : {}),
})
const associatedPress = (quote?: string): Source => ({
  publisher: 'The Associated Press',
  title: "[Report on Vice President Harris's November visit to Paris]",
  publishedAt: CALL_DATE,
  ...(quote ? { quote } : {}),
  derivedFrom: [{ publisher: 'The White House', title: WH_TITLE }],
})

const QUOTES = {
  visit:
    'President Biden also noted the November visit by Vice President Harris to Paris as a key opportunity to further enhance U.S.-France cooperation on a range of global challenges.',
  defence:
    'discussed efforts to enable a stronger and more capable European defence while ensuring complementarity with NATO.',
  rome: 'take stock of the many areas of US-France cooperation, and reinforce our shared interests and common values as we take on challenges and opportunities together.',
}

const CALL_TOPICS = [
  'Stability and security in the Sahel',
  'Cooperation in the Indo-Pacific',
  'A stronger and more capable European defence, complementary to NATO',
  'The Biden–Macron meeting in Rome',
  "Vice President Harris's November visit to Paris",
]

const time = (edtf: string, field: string, phrase?: string, relativeTo?: string) =>
  parseImpreciseTime(
    { edtf, ...(phrase ? { phrase } : {}), ...(relativeTo ? { relativeTo } : {}) },
    field,
  )

/**
 * The seed article as the ordered commands that record it, each with the aggregate and id it
 * goes to. Ids and time come in; nothing here reads a clock.
 */
export function seedScenario({
  newId,
  actor,
  at = `${ARTICLE_DATE}T12:00:00Z`,
}: SeedOptions): Routed[] {
  const ids = {
    call: newId(),
    statement: newId(),
    visit: newId(),
    speech: newId(),
    libya: newId(),
    talks: newId(),
    meeting: newId(),
    aukus: newId(),
  }
  const meta = (...sources: Source[]) => ({ actor, at, sources })
  const visitId = ids.visit
  const engagement = (
    engagementId: string,
    rest: Pick<Engagement, 'kind' | 'title' | 'period'> & Partial<Engagement>,
    ...sources: Source[]
  ): Routed => ({
    aggregate: 'visit',
    id: visitId,
    command: {
      type: 'AddEngagement',
      data: {
        visitId,
        engagement: { engagementId, counterparts: [], status: 'confirmed', ...rest },
      },
      metadata: meta(...sources),
    },
  })

  return [
    {
      aggregate: 'call',
      id: ids.call,
      command: {
        type: 'RecordCall',
        data: {
          callId: ids.call,
          participants: [biden, macron],
          date: time(CALL_DATE, '/date', 'on Friday', ARTICLE_DATE),
          topics: CALL_TOPICS,
          readout:
            "The two leaders reviewed the efforts of their teams to support stability and security in the Sahel and to enhance cooperation in the Indo-Pacific, and discussed a stronger and more capable European defence complementary to NATO. President Biden looked forward to meeting President Macron in Rome later in the month and noted the Vice President's November visit to Paris.",
          quotes: [{ text: QUOTES.visit }, { text: QUOTES.defence }],
        },
        metadata: meta(whiteHouse(QUOTES.visit), associatedPress()),
      },
    },
    {
      aggregate: 'statement',
      id: ids.statement,
      command: {
        type: 'PublishStatement',
        data: {
          statementId: ids.statement,
          kind: 'readout',
          issuer: { name: 'The White House', country: 'US' },
          title: WH_TITLE,
          date: time(CALL_DATE, '/date', 'on Friday', ARTICLE_DATE),
          topics: CALL_TOPICS,
          quotes: [{ text: QUOTES.visit }, { text: QUOTES.defence }, { text: QUOTES.rome }],
          relatesTo: [
            { aggregate: 'call', id: ids.call },
            { aggregate: 'meeting', id: ids.meeting },
            { aggregate: 'visit', id: visitId },
          ],
        },
        metadata: meta(whiteHouse()),
      },
    },
    {
      aggregate: 'visit',
      id: visitId,
      command: {
        type: 'ScheduleVisit',
        data: {
          visitId,
          visitor: harris,
          destination: paris,
          period: time('2021-11', '/period', 'next month', ARTICLE_DATE),
          purpose: 'Talks with French President Emmanuel Macron',
        },
        metadata: meta(whiteHouse(QUOTES.visit), associatedPress()),
      },
    },
    engagement(
      ids.speech,
      {
        kind: 'speech',
        title: 'Speech at the annual Paris Peace Forum',
        period: time('2021-11-11', '/engagement/period', 'on 11 November', ARTICLE_DATE),
      },
      associatedPress(),
    ),
    engagement(
      ids.libya,
      {
        kind: 'conference',
        title: 'Paris Conference on Libya',
        period: time(
          '2021-11-12',
          '/engagement/period',
          'the following day, on 12 November',
          ARTICLE_DATE,
        ),
      },
      associatedPress(),
    ),
    engagement(
      ids.talks,
      {
        kind: 'talks',
        title: 'Talks with President Emmanuel Macron',
        period: time('2021-11', '/engagement/period', 'next month', ARTICLE_DATE),
        counterparts: [macron],
      },
      whiteHouse(),
      associatedPress(),
    ),
    {
      aggregate: 'visit',
      id: visitId,
      command: {
        type: 'AddDelegationMember',
        data: { visitId, member: { person: emhoff, role: 'spouse' } },
        metadata: meta(associatedPress()),
      },
    },
    {
      aggregate: 'meeting',
      id: ids.meeting,
      command: {
        type: 'AnnounceMeeting',
        data: {
          meetingId: ids.meeting,
          participants: [biden, macron],
          place: rome,
          window: time('[2021-10-23..2021-10-31]', '/window', 'later this month', CALL_DATE),
          occasion: 'G20 summit in Rome',
          format: 'sidelines',
          agenda: [
            'Continue the conversation of the 22 October call',
            'Take stock of US-France cooperation',
          ],
        },
        metadata: meta(whiteHouse(QUOTES.rome), associatedPress()),
      },
    },
    {
      aggregate: 'relationship',
      id: 'FR-US',
      command: {
        type: 'RecordFriction',
        data: {
          dyad: ['US', 'FR'],
          frictionId: ids.aukus,
          title: 'AUKUS and the cancelled French submarine deal',
          description:
            'Ties were strained by AUKUS, the defence pact of Australia, the United Kingdom and the United States under which Washington would sell nuclear-powered submarines to Canberra. It undercut a deal worth over $60 billion by a French defence contractor (Naval Group) to sell diesel-powered submarines to Australia.',
          severity: 'serious',
          thirdParties: ['AU', 'GB'],
          topics: ['AUKUS', 'Submarines for Australia', 'Defence industry'],
        },
        metadata: meta(associatedPress()),
      },
    },
    {
      aggregate: 'relationship',
      id: 'FR-US',
      command: {
        type: 'AssessRelationship',
        data: {
          dyad: ['US', 'FR'],
          label: 'recovering',
          rationale:
            "Washington is attempting to mend ties with Paris after AUKUS strained them: the call, the Rome meeting and the Vice President's visit are steps in that effort.",
          asOf: time(ARTICLE_DATE, '/asOf'),
        },
        metadata: meta(associatedPress()),
      },
    },
  ]
}
