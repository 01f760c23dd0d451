import { expect } from 'chai';
import { v5 } from 'uuid';
import { uuidV5 } from '../../../../src/application/shared/uuid-v5';
import { LEDGER_EVENT_NAMESPACE } from '../../../../src/domain/shared/ids';

describe('uuidV5 (version-5 ids without the uuid package per call)', () => {
  const names = ['', 'scayle|bench-1|ScayleOrderPlaced', 'erp|INV-0001:2|ErpInvoicePosted', 'Ä ö ü ß — €', '注文 🧾 👩‍👩‍👧', 'x'.repeat(5000), 'a\u0000b', '\uFEFF\u200B'];

  it('answers what uuid v5 answers, in two namespaces', () => {
    for (const ns of [LEDGER_EVENT_NAMESPACE, v5.URL]) for (const name of names) expect(uuidV5(name, ns)).to.equal(v5(name, ns));
  });

  it('refuses what uuid refuses: a name with a lone surrogate, a namespace that is not a UUID', () => {
    expect(() => v5('a\uD800', LEDGER_EVENT_NAMESPACE)).to.throw(URIError);
    expect(() => uuidV5('a\uD800', LEDGER_EVENT_NAMESPACE)).to.throw(URIError);
    expect(() => uuidV5('a', 'not-a-uuid')).to.throw(TypeError);
  });
});
