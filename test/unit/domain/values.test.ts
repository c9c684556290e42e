import t from 'tap'
import { canonicalJson, copyWith, mergePatch, sameJson } from '../../../src/domain/json.js'
import { dyadOf, dyadsAmong, isCountryCode } from '../../../src/domain/values/country.js'
import { isPersonId } from '../../../src/domain/values/person.js'
import { isUrl } from '../../../src/domain/values/source.js'
import { isTimeZone } from '../../../src/domain/values/time-zone.js'

t.test('country codes are the ISO 3166-1 alpha-2 list, plus XK for Kosovo', async (t) => {
  for (const code of ['FR', 'US', 'GB', 'IT', 'AU', 'XK'])
    t.ok(isCountryCode(code), `${code} is a country`)
  for (const code of ['UK', 'EU', 'fr', 'FRA', 'XX', '', 'ZZ'])
    t.notOk(isCountryCode(code), `${code} is not`)
})

t.test('dyads are sorted pairs; a multilateral group gives every pair once', async (t) => {
  t.strictSame(dyadOf('US', 'FR'), ['FR', 'US'])
  t.strictSame(dyadsAmong(['US', 'FR', 'US', 'IT']), [
    ['FR', 'IT'],
    ['FR', 'US'],
    ['IT', 'US'],
  ])
  t.strictSame(dyadsAmong(['US', 'US']), [])
})

t.test('time zones are IANA names the runtime knows', async (t) => {
  for (const tz of ['Europe/Paris', 'America/Argentina/Buenos_Aires', 'UTC', 'Europe/Kiev'])
    t.ok(isTimeZone(tz), `${tz} is a time zone`)
  for (const tz of ['CET', 'EST', '+01:00', 'Europe/Atlantis', 'europe/paris', ''])
    t.notOk(isTimeZone(tz), `${tz} is not`)
})

t.test('person ids are Wikidata QIDs or lower-case slugs', async (t) => {
  for (const id of ['Q10853588', 'Q6279', 'douglas-emhoff', 'x1'])
    t.ok(isPersonId(id), `${id} is an id`)
  for (const id of ['Q0', 'Q12a', 'Douglas Emhoff', 'douglas--emhoff', '-x', ''])
    t.notOk(isPersonId(id), `${id} is not`)
})

t.test('source urls are absolute http(s) urls', async (t) => {
  t.ok(isUrl('https://www.whitehouse.gov/briefing-room/'))
  for (const url of ['www.whitehouse.gov', 'ftp://x.org/a', 'javascript:alert(1)'])
    t.notOk(isUrl(url), url)
})

t.test(
  'a merge patch replaces members, merges objects, removes nulls, replaces lists',
  async (t) => {
    const target = { a: 1, b: { c: 2, d: 3 }, e: [1, 2], f: 'x' }
    t.strictSame(mergePatch(target, { a: 9, b: { d: null, g: 4 }, e: [3], f: null }), {
      a: 9,
      b: { c: 2, g: 4 },
      e: [3],
    })
    t.strictSame(
      target,
      { a: 1, b: { c: 2, d: 3 }, e: [1, 2], f: 'x' },
      'the target is not changed',
    )
  },
)

t.test('JSON compares equal whatever the key order, as jsonb gives it back', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}')
  t.ok(sameJson({ a: 1, b: undefined }, { a: 1 }))
  t.notOk(sameJson([1, 2], [2, 1]))
})

t.test(
  'copyWith gives a new object with the members replaced or added, as a spread does',
  async (t) => {
    const visit = { visitId: 'v1', status: 'scheduled', purpose: undefined as string | undefined }
    const completed = copyWith(visit, { status: 'completed', period: { edtf: '2021-11' } })
    t.strictSame(completed, { ...visit, status: 'completed', period: { edtf: '2021-11' } })
    t.ok('purpose' in completed, 'an undefined member is copied, as a spread copies it')
    t.equal(visit.status, 'scheduled', 'the original is left as it was')
    t.not(completed, visit)
  },
)
