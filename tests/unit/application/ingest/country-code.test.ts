import { expect } from 'chai';
import { isCountryCode, requireCountryCode } from '../../../../src/application/ingest/scayle/scayle-order-keys';
import { MappingFailure } from '../../../../src/application/ingest/ingest-outcome';

/**
 * The country part of an order's stream name: an ISO 3166-1 alpha-2 code that is assigned (plus XK),
 * not merely two upper-case letters.
 */
describe('Scayle country codes: assigned ISO 3166-1 alpha-2 codes only', () => {
  it('takes assigned codes, including recent and territorial ones, and XK (Kosovo)', () => {
    for (const code of ['DE', 'CH', 'AT', 'GB', 'US', 'SS', 'CW', 'SX', 'BQ', 'AX', 'AQ', 'BV', 'UM', 'TF', 'XK']) {
      expect(isCountryCode(code), code).to.equal(true);
      expect(requireCountryCode(code, 'shopCountry.countryCode')).to.equal(code);
    }
  });

  it('refuses unassigned, user-assigned and reserved codes as invalid_country_code naming the field', () => {
    const refused = [
      'XX', 'AA', 'QM', 'QO', 'QZ', 'XA', 'XB', 'XZ', 'ZZ', // unassigned and user-assigned (ISO 3166-1 §8.1.3)
      'UK', 'EU', 'EZ', 'UN', 'AC', 'CP', 'DG', 'EA', 'IC', 'TA', 'FX', 'SU', // exceptionally reserved
      'AN', 'CS', 'YU', 'ZR', 'TP', 'BU', 'DD', // transitionally reserved or withdrawn
      'de', 'Dé', 'DEU', '', 'D',
    ];
    for (const code of refused) {
      expect(isCountryCode(code), code).to.equal(false);
      const err = (() => {
        try {
          requireCountryCode(code, 'shopCountry.countryCode');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err, code).to.be.instanceOf(MappingFailure);
      expect(err, code).to.include({ reason: 'invalid_country_code', path: 'shopCountry.countryCode' });
    }
    expect(isCountryCode(49)).to.equal(false);
    expect(isCountryCode(undefined)).to.equal(false);
  });
});
