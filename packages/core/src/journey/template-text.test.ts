import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseTemplateText } from './template-text.ts';

describe('normaliseTemplateText', () => {
  it("rewrites the seed article's [[[name]]] placeholders to profile traits", () => {
    assert.equal(
      normaliseTemplateText('Hello [[[customer_name]]]. Call 900-900-900.'),
      'Hello {{ profile.traits.customer_name }}. Call 900-900-900.',
    );
    assert.equal(
      normaliseTemplateText('[[[ a ]]] and [[[b]]]'),
      '{{ profile.traits.a }} and {{ profile.traits.b }}',
    );
  });

  it('quotes names that are not Liquid identifiers', () => {
    assert.equal(normaliseTemplateText('[[[first-name]]]'), '{{ profile.traits["first-name"] }}');
  });

  it('leaves Liquid and other brackets alone', () => {
    const text = 'Hi {{ profile.traits.name }} [[not a placeholder]] [[[has space]]]';
    assert.equal(normaliseTemplateText(text), text);
  });
});
