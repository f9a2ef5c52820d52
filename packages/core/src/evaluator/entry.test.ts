import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Trigger } from '../journey/schema.ts';
import { formatLocal } from '../time/zones.ts';
import { dateTriggerTime } from '../triggers/date/date.kind.ts';
import { countsAsActivity, inactivityDeadline } from '../triggers/inactivity/inactivity.kind.ts';
import { decideEntry, matchesTrigger } from './entry.ts';
import type { EventFact, ProfileFact } from './types.ts';

const NOW = Date.parse('2026-05-01T12:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const profile: ProfileFact = { id: 'p1', traits: { plan: 'pro' }, lists: [] };
const event = (
  name: string,
  properties: Record<string, unknown> = {},
  type: EventFact['type'] = 'track',
): EventFact => ({
  id: `${name}-1`,
  type,
  name,
  properties,
  timestamp: NOW,
});

describe('matchesTrigger', () => {
  it('event triggers match the name and the where filter', () => {
    const trigger = Trigger.parse({
      type: 'event',
      event: 'invoice_overdue',
      where: {
        all: [
          { field: 'event.properties.amount', op: 'gt', value: 50 },
          { field: 'profile.traits.plan', op: 'eq', value: 'pro' },
        ],
      },
    });
    assert.ok(matchesTrigger(trigger, event('invoice_overdue', { amount: 80 }), profile));
    assert.ok(!matchesTrigger(trigger, event('invoice_overdue', { amount: 20 }), profile));
    assert.ok(!matchesTrigger(trigger, event('invoice_paid', { amount: 80 }), profile));
  });

  it('inbound triggers match the keyword as the first word, any case, and the number without spaces', () => {
    const trigger = Trigger.parse({ type: 'inbound', to: '+351 912 345 678', keyword: 'COURSE' });
    const sms = (body: string, to = '+351912345678', channel = 'sms'): EventFact =>
      event('inbound_message', { channel, to, body }, 'inbound');
    assert.ok(matchesTrigger(trigger, sms('course please'), profile));
    assert.ok(matchesTrigger(trigger, sms('  Course! send me the slides'), profile));
    assert.ok(matchesTrigger(trigger, sms('COURSE', '+351 912 345 678'), profile));
    assert.ok(
      !matchesTrigger(trigger, sms('I want the course'), profile),
      'keyword must be the first word',
    );
    assert.ok(!matchesTrigger(trigger, sms('course', '+351900000000'), profile), 'another number');
    assert.ok(
      !matchesTrigger(trigger, sms('course', '+351912345678', 'whatsapp'), profile),
      'another channel',
    );
    assert.ok(
      !matchesTrigger(trigger, event('inbound_message', { body: 'course' }), profile),
      'a track event is not inbound',
    );
  });

  it('scheduled triggers (inactivity, date, segment, broadcast, manual) never match an event', () => {
    for (const t of [
      { type: 'inactivity', after: 'P30D' },
      { type: 'date', field: 'profile.traits.delivery_date' },
      { type: 'segment', condition: { inList: 'vip' } },
      { type: 'broadcast', audience: { inList: 'vip' } },
      { type: 'manual' },
    ]) {
      assert.equal(matchesTrigger(Trigger.parse(t), event('anything'), profile), false, t.type);
    }
  });
});

describe('decideEntry (re-entry policies)', () => {
  const fresh = { entries: 0, lastEnteredAt: null, active: 0 };
  const ran = { entries: 1, lastEnteredAt: NOW - 2 * D, active: 0 };
  const running = { entries: 1, lastEnteredAt: NOW - 2 * D, active: 1 };

  it('once: the first entry only, ever', () => {
    assert.deepEqual(decideEntry({ policy: { mode: 'once' }, history: fresh, now: NOW }), {
      enter: true,
    });
    const again = decideEntry({ policy: { mode: 'once' }, history: ran, now: NOW });
    assert.equal(again.enter, false);
  });
  it('after_exit: again once the previous run has ended', () => {
    assert.deepEqual(decideEntry({ policy: { mode: 'after_exit' }, history: ran, now: NOW }), {
      enter: true,
    });
    const busy = decideEntry({ policy: { mode: 'after_exit' }, history: running, now: NOW });
    assert.deepEqual(busy, { enter: false, reason: 'a run of this journey is still in progress' });
  });
  it('after: again when the cool-down since the last entry has passed and no run is active', () => {
    assert.equal(
      decideEntry({ policy: { mode: 'after', after: 'P7D' }, history: ran, now: NOW }).enter,
      false,
    );
    assert.equal(
      decideEntry({ policy: { mode: 'after', after: 'P1D' }, history: ran, now: NOW }).enter,
      true,
    );
    assert.equal(
      decideEntry({ policy: { mode: 'after', after: 'P2D' }, history: ran, now: NOW }).enter,
      true,
      'exactly N later',
    );
    assert.equal(
      decideEntry({ policy: { mode: 'after', after: 'P1D' }, history: running, now: NOW }).enter,
      false,
    );
    assert.equal(
      decideEntry({ policy: { mode: 'after', after: 'P1D' }, history: fresh, now: NOW }).enter,
      true,
    );
  });
  it('concurrent: always, even with runs in progress', () => {
    assert.deepEqual(decideEntry({ policy: { mode: 'concurrent' }, history: running, now: NOW }), {
      enter: true,
    });
  });
});

describe('dateTriggerTime', () => {
  it('the SMS about a delivery on 2 May goes at 10:00 local the day before', () => {
    const trigger = Trigger.parse({
      type: 'date',
      field: 'profile.traits.delivery_date',
      offset: '-P1D',
      at: '10:00',
    });
    if (trigger.type !== 'date') throw new Error('date trigger expected');
    for (const zone of ['Europe/Lisbon', 'Asia/Kolkata', 'Australia/Lord_Howe']) {
      const t = dateTriggerTime({ trigger, date: '2026-05-02', zone });
      assert.equal(t === null ? null : formatLocal(t, zone), `2026-05-01 10:00 ${zone}`);
    }
  });
  it('without `at` the date keeps its own time; epoch milliseconds work; junk is null', () => {
    const trigger = Trigger.parse({
      type: 'date',
      field: 'profile.traits.renewal_at',
      offset: '-PT2H',
    });
    if (trigger.type !== 'date') throw new Error('date trigger expected');
    assert.equal(
      dateTriggerTime({ trigger, date: '2026-05-02T10:00:00Z', zone: 'UTC' }),
      Date.parse('2026-05-02T08:00:00Z'),
    );
    assert.equal(dateTriggerTime({ trigger, date: NOW, zone: 'UTC' }), NOW - 2 * H);
    assert.equal(dateTriggerTime({ trigger, date: 'soon', zone: 'UTC' }), null);
    assert.equal(dateTriggerTime({ trigger, date: undefined, zone: 'UTC' }), null);
  });
});

describe('inactivity', () => {
  const trigger = Trigger.parse({
    type: 'inactivity',
    after: 'P30D',
    activity: ['login', 'order_completed'],
  });
  if (trigger.type !== 'inactivity') throw new Error('inactivity trigger expected');
  it('fires the quiet spell after the last activity', () => {
    assert.equal(inactivityDeadline({ trigger, lastActivityAt: NOW }), NOW + 30 * D);
  });
  it('only the named events count as activity; without a list every event does', () => {
    assert.ok(countsAsActivity(trigger, event('login')));
    assert.ok(!countsAsActivity(trigger, event('email_opened')));
    const any = Trigger.parse({ type: 'inactivity', after: 'P30D' });
    if (any.type !== 'inactivity') throw new Error('inactivity trigger expected');
    assert.ok(countsAsActivity(any, event('email_opened')));
  });
});
