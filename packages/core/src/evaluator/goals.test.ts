import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Goal } from '../journey/schema.ts';
import {
  attributionWindowMs,
  lastTouch,
  longestAttributionWindowMs,
  matchGoals,
  type Touch,
} from './goals.ts';
import { DAY, Driver, HOUR, MIN, T0, event, journey, profile } from './step.fixtures.ts';

const order = journey({
  start: 'email',
  policies: {
    goals: [
      {
        id: 'ordered',
        event: 'order_completed',
        valueProperty: 'revenue',
        currencyProperty: 'currency',
        exit: false,
        attribution: { window: 'P3D', windows: { sms: 'P1D' } },
      },
      {
        id: 'big',
        event: 'order_completed',
        where: { field: 'event.properties.revenue', op: 'gte', value: 100 },
      },
    ],
  },
  nodes: {
    email: { type: 'send', channel: 'email', template: 'cart', next: 'wait' },
    wait: { type: 'wait', duration: 'P1D', next: 'done' },
    done: { type: 'exit' },
  },
});

const goal = (g: unknown): Goal => Goal.parse(g);

describe('goals during a run', () => {
  it('an order converts every goal it reaches, with value and currency; an exiting one ends the run', () => {
    const run = new Driver(order, T0);
    run.feed(
      {
        kind: 'event',
        event: event('order_completed', T0 + HOUR, { revenue: 120, currency: 'eur' }),
      },
      T0 + HOUR,
    );
    const conversions = run.commands.filter((c) => c.type === 'conversion');
    assert.deepEqual(
      conversions.map((c) => (c.type === 'conversion' ? [c.goal, c.value, c.currency] : [])),
      [
        ['ordered', 120, 'EUR'],
        ['big', undefined, undefined],
      ],
    );
    assert.deepEqual(run.state.exit, { kind: 'goal', goal: 'big' });
  });

  it('a small order converts the non-exiting goal only and the run keeps waiting', () => {
    const run = new Driver(order, T0);
    run.feed(
      { kind: 'event', event: event('order_completed', T0 + HOUR, { revenue: '19.5' }) },
      T0 + HOUR,
    );
    assert.equal(run.state.status, 'waiting');
    const conversion = run.commands.find((c) => c.type === 'conversion');
    assert.equal(conversion?.type === 'conversion' ? conversion.value : null, 19.5);
    assert.equal(conversion?.type === 'conversion' ? conversion.currency : 'x', undefined);
  });

  it('matchGoals ignores other events and goals whose condition fails', () => {
    const scope = { profile: profile(), now: T0, event: event('order_completed', T0, {}) };
    assert.deepEqual(
      matchGoals({ definition: order, event: event('viewed', T0), scope }).map((m) => m.goal),
      [],
    );
    assert.deepEqual(
      matchGoals({ definition: order, event: scope.event, scope }).map((m) => m.goal),
      ['ordered'],
    );
  });
});

describe('attribution windows', () => {
  it('defaults to 3 days; a channel window overrides the goal window', () => {
    const plain = goal({ id: 'g', event: 'e' });
    assert.equal(attributionWindowMs(plain, 'email'), 3 * DAY);
    const perChannel = goal({
      id: 'g',
      event: 'e',
      attribution: { window: 'P2D', windows: { sms: 'P1D', email: 'P5D' } },
    });
    assert.equal(attributionWindowMs(perChannel, 'sms'), DAY);
    assert.equal(attributionWindowMs(perChannel, 'email'), 5 * DAY);
    assert.equal(attributionWindowMs(perChannel, 'voice'), 2 * DAY);
    assert.equal(longestAttributionWindowMs(perChannel), 5 * DAY);
    assert.equal(longestAttributionWindowMs(plain), 3 * DAY);
  });

  it('rejects an unknown channel, a bad duration and another model, naming the field', () => {
    for (const [attribution, path] of [
      [{ windows: { fax: 'P1D' } }, 'attribution.windows.fax'],
      [{ window: 'soon' }, 'attribution.window'],
      [{ window: '-P1D' }, 'attribution.window'],
      [{ model: 'first_touch' }, 'attribution.model'],
    ] as const) {
      const parsed = Goal.safeParse({ id: 'g', event: 'e', attribution });
      assert.equal(parsed.success, false, JSON.stringify(attribution));
      const paths = parsed.error?.issues.map((i) => i.path.join('.')) ?? [];
      assert.ok(
        paths.some((p) => path.startsWith(p) && p.startsWith('attribution')),
        `${JSON.stringify(attribution)}: ${paths.join(', ')}`,
      );
    }
  });

  it('last touch: the most recent message inside its own channel window', () => {
    const g = goal({
      id: 'paid',
      event: 'payment_received',
      attribution: { windows: { email: 'P3D', sms: 'P1D' } },
    });
    const email: Touch = { messageId: 'm1', nodeId: 'email', channel: 'email', sentAt: T0 };
    const sms: Touch = { messageId: 'm2', nodeId: 'sms', channel: 'sms', sentAt: T0 + 12 * HOUR };
    // 20 h after the SMS: the SMS is the last touch.
    assert.equal(lastTouch(g, [email, sms], T0 + 32 * HOUR)?.messageId, 'm2');
    // 2 days after the SMS (its 1-day window closed), 2.5 days after the email: the email.
    assert.equal(lastTouch(g, [email, sms], T0 + 60 * HOUR)?.messageId, 'm1');
    // Past the email's 3 days too: nobody gets the credit.
    assert.equal(lastTouch(g, [email, sms], T0 + 3 * DAY + MIN), null);
    // A message sent after the event is no touch.
    assert.equal(lastTouch(g, [sms], T0 + HOUR), null);
  });
});
