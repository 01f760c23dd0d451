import { expect } from 'chai';
import { v5 } from 'uuid';
import { uuidV5 } from '../../../../src/application/shared/uuid-v5';
import { DomainError } from '../../../../src/domain/shared/errors';
import { LEDGER_EVENT_NAMESPACE } from '../../../../src/domain/shared/ids';

describe('uuidV5 (version-5 ids without the uuid package per call)', () => {
  const names = ['', 'scayle|bench-1|ScayleOrderPlaced', 'erp|INV-0001:2|ErpInvoicePosted', 'Ä ö ü ß — €', '注文 🧾 👩‍👩‍👧', 'x'.repeat(5000), 'a\u0000b', '\uFEFF\u200B'];

  it('answers what uuid v5 answers, in two namespaces', () => {
    for (const ns of [LEDGER_EVENT_NAMESPACE, v5.URL]) for (const name of names) expect(uuidV5(name, ns)).to.equal(v5(name, ns));
  });

  it('refuses a name with a lone surrogate with a typed invalid error naming the field (uuid would throw URIError: URI malformed)', () => {
    expect(() => v5('a\uD800', LEDGER_EVENT_NAMESPACE)).to.throw(URIError);
    for (const [name, field] of [['UNI-\uD800x', 'name'], ['erp|UNI-\uDC00|ErpInvoicePosted', 'documentNumber']] as const) {
      let thrown: unknown;
      try {
        uuidV5(name, LEDGER_EVENT_NAMESPACE, field === 'name' ? undefined : field);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).to.be.instanceOf(DomainError);
      expect(thrown).to.include({ kind: 'invalid', code: 'malformed_text', field });
      expect((thrown as Error).message).to.match(new RegExp(`^${field} is not well-formed Unicode text: it holds a lone UTF-16 surrogate \\(U\\+D[8C]00\\)$`));
    }
  });

  it('refuses a namespace that is not a UUID (TypeError from uuid)', () => {
    expect(() => uuidV5('a', 'not-a-uuid')).to.throw(TypeError);
  });
});
