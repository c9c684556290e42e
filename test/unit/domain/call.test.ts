import t from 'tap'
import type { CallCommand, CallEvent, CallRecorded } from '../../../src/domain/call/index.js'
import { callDecider, callStreamId } from '../../../src/domain/call/index.js'
import { codeInteraction } from '../../../src/domain/relationship/interaction-coding.js'
import { biden, blinken, draghi, macron, meta, oct22, time, whiteHouse } from './fixtures.js'
import { specFor } from './spec.js'

const call = specFor(callDecider)
const callId = 'biden-macron-2021-10-22'
const sources = [whiteHouse]
const quote = {
  text: 'President Biden also noted the November visit by Vice President Harris to Paris as a key opportunity to further enhance U.S.-France cooperation on a range of global challenges.',
}

const record = (data: Partial<CallCommand['data']> = {}): CallCommand => ({
  type: 'RecordCall',
  data: {
    callId,
    participants: [biden, macron],
    date: oct22,
    topics: ['Sahel'],
    quotes: [quote],
    ...data,
  },
  metadata: meta(),
})
const recorded: CallRecorded = {
  type: 'CallRecorded',
  data: {
    callId,
    participants: [biden, macron],
    date: oct22,
    topics: ['Sahel'],
    quotes: [quote],
    dyads: [['FR', 'US']],
    interactions: [codeInteraction('call', ['FR', 'US'], oct22.earliest!)],
    sources,
  },
}

t.test('the call stream is call-<id>', async (t) => {
  t.equal(callStreamId('x'), 'call-x')
})

t.test('RecordCall records the call, coded CONSULT:phone on the call date', async (t) => {
  const state = call(t).given([]).when(record()).then([recorded])
  t.match(state, {
    status: 'recorded',
    call: { participants: [{ id: 'Q6279' }, { id: 'Q3052772' }] },
  })
})

t.test(
  'RecordCall codes one interaction per pair of countries on a multilateral call',
  async (t) => {
    const [event] = call(t)
      .given([])
      .when(record({ participants: [biden, macron, draghi], initiatorId: 'Q6279' }))
      .produced()
    t.strictSame(
      (event as CallRecorded).data.interactions.map((i) => i.dyad),
      [
        ['FR', 'IT'],
        ['FR', 'US'],
        ['IT', 'US'],
      ],
    )
  },
)

t.test('RecordCall is refused for a call already recorded', async (t) => {
  call(t).given([recorded]).when(record()).thenThrows('call-already-recorded', '/callId')
})

t.test('RecordCall is refused with fewer than two participants', async (t) => {
  call(t)
    .given([])
    .when(record({ participants: [biden] }))
    .thenThrows('call-needs-two-participants', '/participants')
})

t.test('RecordCall is refused when all participants act for one country', async (t) => {
  call(t)
    .given([])
    .when(record({ participants: [biden, blinken] }))
    .thenThrows('dyad-same-country', '/participants')
})

t.test('RecordCall is refused for a participant listed twice', async (t) => {
  call(t)
    .given([])
    .when(record({ participants: [biden, macron, biden] }))
    .thenThrows('participant-duplicate', '/participants/2/id')
})

t.test('RecordCall is refused when the initiator is not a participant', async (t) => {
  call(t)
    .given([])
    .when(record({ initiatorId: 'Q7152' }))
    .thenThrows('call-initiator-not-participant', '/initiatorId')
})

t.test(
  'RecordCall is refused for a malformed date, a blank topic, or an empty quote',
  async (t) => {
    call(t)
      .given([])
      .when(record({ date: { ...oct22, edtf: '' } }))
      .thenThrows('edtf-format', '/date/edtf')
    call(t)
      .given([])
      .when(record({ topics: [' '] }))
      .thenThrows('required', '/topics/0')
    call(t)
      .given([])
      .when(record({ quotes: [{ text: '' }] }))
      .thenThrows('required', '/quotes/0/text')
  },
)

t.test('RecordCall is refused without a source', async (t) => {
  call(t)
    .given([])
    .when({ ...record(), metadata: meta({ sources: [] }) })
    .thenThrows('source-required', '/sources')
})

t.test('a retracted CallRecorded leaves the call retracted', async (t) => {
  const retracted: CallEvent = {
    type: 'FactRetracted',
    data: {
      target: { streamId: callStreamId(callId), eventId: 'e1', eventType: 'CallRecorded' },
      retracted: recorded.data as never,
      reason: 'no such call',
      sources,
    },
  }
  const state = [recorded, retracted].reduce(callDecider.evolve, callDecider.initialState())
  t.equal(state.status, 'retracted')
  call(t).given([recorded, retracted]).when(record()).thenThrows('call-already-recorded', '/callId')
})

t.test('a corrected CallRecorded reads as corrected', async (t) => {
  const corrected = { ...recorded.data, date: time('2021-10-21') }
  const event: CallEvent = {
    type: 'FactCorrected',
    data: {
      target: { streamId: callStreamId(callId), eventId: 'e1', eventType: 'CallRecorded' },
      changes: { date: corrected.date } as never,
      original: recorded.data as never,
      corrected: corrected as never,
      reason: 'wrong day',
      sources,
    },
  }
  const state = [recorded, event].reduce(callDecider.evolve, callDecider.initialState())
  t.equal(state.status === 'recorded' && state.call.date.edtf, '2021-10-21')
})
