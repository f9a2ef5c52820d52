// The recipient's zone from real phone numbers: single-zone countries, prefix-pinned zones,
// dominant zones, and the ambiguous countries that fall through to the journey/workspace zone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countryOfZone, normalisePhone, profileZone, zoneOfPhone } from './recipient-zone.ts';

describe('recipient zone', () => {
  it('maps a phone number to its country zone', () => {
    assert.equal(zoneOfPhone('+351 912 345 678'), 'Europe/Lisbon');
    assert.equal(zoneOfPhone('+91 98765 43210'), 'Asia/Kolkata');
    assert.equal(zoneOfPhone('+44 20 7946 0958'), 'Europe/London');
    assert.equal(zoneOfPhone('+44 7911 123456'), 'Europe/London');
    assert.equal(zoneOfPhone('+49 30 901820'), 'Europe/Berlin');
    assert.equal(zoneOfPhone('+55 11 91234 5678'), 'America/Sao_Paulo');
  });

  it('pins zones of multi-zone countries by landline prefix', () => {
    assert.equal(zoneOfPhone('+61 2 9374 4000'), 'Australia/Sydney');
    assert.equal(zoneOfPhone('+61 3 9650 1234'), 'Australia/Melbourne');
    assert.equal(zoneOfPhone('+61 7 3000 1234'), 'Australia/Brisbane');
    assert.equal(zoneOfPhone('+351 296 123 456'), 'Atlantic/Azores');
    assert.equal(zoneOfPhone('+34 928 123 456'), 'Atlantic/Canary');
    assert.equal(zoneOfPhone('+34 912 345 678'), 'Europe/Madrid');
  });

  it('gives no zone where a guess would be wrong for many (US, Canada, Australian mobiles, Perth/Adelaide)', () => {
    assert.equal(zoneOfPhone('+1 415 555 2671'), null);
    assert.equal(zoneOfPhone('+1 212 555 0100'), null);
    assert.equal(zoneOfPhone('+1 416 555 0100'), null);
    assert.equal(zoneOfPhone('+61 412 345 678'), null);
    assert.equal(zoneOfPhone('+61 8 9000 1234'), null);
    assert.equal(zoneOfPhone('not a number'), null);
  });

  it('reads national numbers in the workspace country', () => {
    assert.equal(countryOfZone('Europe/Lisbon'), 'PT');
    assert.equal(countryOfZone('UTC'), null);
    assert.equal(zoneOfPhone('912345678', 'PT'), 'Europe/Lisbon');
    assert.equal(zoneOfPhone('912345678'), null);
    assert.equal(normalisePhone('912 345 678', 'PT'), '+351912345678');
    assert.equal(normalisePhone('+351 912 345 678'), '+351912345678');
    assert.equal(normalisePhone('12'), null);
  });

  it('prefers a valid timezone trait, then the phone, else leaves it to the journey/workspace', () => {
    assert.equal(
      profileZone({ timezone: 'America/Los_Angeles', phone: '+351912345678' }),
      'America/Los_Angeles',
    );
    assert.equal(
      profileZone({ timezone: 'Mars/Olympus', phone: '+351912345678' }),
      'Europe/Lisbon',
    );
    assert.equal(profileZone({ phone: '912345678' }, 'Europe/Lisbon'), 'Europe/Lisbon');
    assert.equal(profileZone({ phone: '+14155552671' }), undefined);
    assert.equal(profileZone({ email: 'a@example.com' }), undefined);
  });
});
