import { expect } from 'chai';
import { parseEnvelope } from '../../../src/infrastructure/http/ingest/scayle-webhook.controller';
import { HttpProblem } from '../../../src/infrastructure/http/problem-details';

describe('Scayle webhook envelope (older generation)', () => {
  const base = { key: 'wh-1', occurredAt: '2024-06-01T10:00:00Z', type: 'order-confirmed', payload: { id: 1 } };
  it('accepts locale as Scayle documents it: {appId, countryCode, currencyCode, languageCode}', () => {
    const locale = { appId: 100, countryCode: 'DE', currencyCode: 'EUR', languageCode: 'de_DE' };
    expect(parseEnvelope({ ...base, locale }).locale).to.deep.equal(locale);
  });
  it('still accepts a locale string and rejects other types naming the field', () => {
    expect(parseEnvelope({ ...base, locale: 'de_DE' }).locale).to.equal('de_DE');
    try {
      parseEnvelope({ ...base, locale: 42 });
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(HttpProblem);
      expect(JSON.stringify((err as HttpProblem & { extensions?: unknown }))).to.match(/locale/);
    }
  });
});
