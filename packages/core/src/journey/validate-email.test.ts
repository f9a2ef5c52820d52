// Validation of email templates and senders: unknown Liquid variables named with template and
// field, a body or HTML required, the renderer's `money` filter accepted, From/Reply-To checked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateJourney, type ValidationResult } from './validate.ts';

function journey(template: Record<string, unknown>, policies: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    id: 'j',
    name: 'J',
    trigger: { type: 'manual' },
    start: 'hello',
    nodes: {
      hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
      done: { type: 'exit' },
    },
    templates: { hello: { channel: 'email', ...template } },
    policies,
  };
}

function issues(result: ValidationResult): Array<[string, string, string]> {
  return result.ok ? [] : result.issues.map((i) => [i.path, i.code, i.message]);
}

describe('email template validation', () => {
  it('accepts MJML without a body, the known roots and the money and date filters', () => {
    const result = validateJourney(
      journey(
        {
          subject: 'Hi {{ profile.traits.first_name }}',
          html: `<mjml><mj-body><mj-text>{{ event.properties.total | money: 'EUR' }}
            {{ trigger.properties.at | date: 'long' }} {{ run.id }} {{ message.id }}
            {% for item in event.properties.items %}{{ item.name }}{% endfor %}
            <a href="{{ unsubscribe_url }}">stop</a></mj-text></mj-body></mjml>`,
          from: 'Shop <shop@example.com>',
          replyTo: 'help@example.com',
        },
        { email: { from: 'news@example.com' } },
      ),
    );
    assert.deepEqual(issues(result), []);
    assert.ok(result.ok);
    assert.equal(result.definition.policies.email?.from, 'news@example.com');
  });

  it('names the template, field and variable whose root is unknown', () => {
    const result = validateJourney(
      journey({ subject: 'Hi {{ customer.first_name }}', body: '{{ profile.id }} {{ order }}' }),
    );
    assert.deepEqual(issues(result), [
      [
        'templates.hello.body',
        'unknown_variable',
        'template "hello" body: unknown variable "order"',
      ],
      [
        'templates.hello.subject',
        'unknown_variable',
        'template "hello" subject: unknown variable "customer.first_name"',
      ],
    ]);
  });

  it('requires a body or HTML', () => {
    assert.deepEqual(issues(validateJourney(journey({ subject: 'Hi' }))), [
      ['templates.hello.body', 'missing_body', 'template "hello" has no body'],
    ]);
  });

  it('rejects senders that are not addresses, naming the field', () => {
    const result = validateJourney(
      journey({ body: 'x', from: 'the shop' }, { email: { replyTo: 'Help <help>' } }),
    );
    assert.deepEqual(
      issues(result).map(([path, code]) => [path, code]),
      [
        ['policies.email.replyTo', 'invalid_address'],
        ['templates.hello.from', 'invalid_address'],
      ],
    );
  });
});
