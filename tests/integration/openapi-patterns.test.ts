/**
 * The spec's constraints and the API's validation come from different places (a YAML pattern, a
 * class-validator regexp, the `currency-codes` package); these tests compare them so neither drifts
 * (schemathesis reported operations that "mostly rejected generated data" when they had).
 */
import { expect } from 'chai';
import * as currencyCodes from 'currency-codes';
import { isCurrencyCode } from '../../src/domain/shared/currency';
import { CODE_TEXT, sourceIdPattern } from '../../src/infrastructure/http/dto/calendar.validators';
import { ASSIGNEE, TEXT } from '../../src/infrastructure/http/exceptions/exceptions.dto';
import { loadOpenApi } from '../../src/infrastructure/http/openapi';
import { KEY_RE } from '../../src/infrastructure/http/orders/order-commands.controller';
import { CURSOR_PATTERN } from '../../src/infrastructure/http/pagination';

type Node = Record<string, unknown>;
const spec = loadOpenApi() as unknown as Node;
const at = (...path: string[]): Node => path.reduce<Node>((node, key) => node[key] as Node, spec);
const schema = (name: string): Node => at('components', 'schemas', name);
const specRegExp = (pattern: unknown): RegExp => new RegExp(String(pattern), 'u');

/** Every BMP code point but the surrogates, as one-character strings. */
const BMP = Array.from({ length: 0x10000 }, (_, c) => c)
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCharCode(c));

describe('OpenAPI constraints agree with the validation', () => {
  it('CurrencyCode lists exactly the ISO 4217 codes the service accepts', () => {
    const listed = schema('CurrencyCode').enum as string[];
    expect([...listed].sort()).to.deep.equal([...currencyCodes.codes()].sort());
    for (const code of listed) expect(isCurrencyCode(code), code).to.equal(true);
  });

  it('amount scales: each if/then group of RequestRefund names the currencies with that many decimals', () => {
    const groups = schema('RequestRefund').allOf as { if: Node; then: Node }[];
    const named = (g: { if: Node }) => ((g.if.properties as Node).currency as Node).enum as string[] | undefined;
    const decimalsOf = (g: { then: Node }) => {
      const pattern = String((((g.then.properties as Node).amount as Node).pattern));
      const m = /\{1,(\d)\}\)\?\$$/.exec(pattern);
      return m ? Number(m[1]) : 0;
    };
    const explicit = new Set<string>();
    for (const g of groups) {
      const codes = named(g);
      if (!codes) continue;
      for (const code of codes) {
        expect(currencyCodes.code(code)?.digits, code).to.equal(decimalsOf(g));
        explicit.add(code);
      }
    }
    const rest = groups.find((g) => !named(g))!;
    expect(decimalsOf(rest)).to.equal(2);
    for (const code of currencyCodes.codes().filter((c) => !explicit.has(c))) expect(currencyCodes.code(code)!.digits, code).to.equal(2);
    // ErpDocument, PspSettlementLine and PspSettlementBatch carry the same groups.
    for (const other of ['ErpDocument', 'PspSettlementLine', 'PspSettlementBatch']) {
      expect((schema(other).allOf as { if: Node }[]).map(named), other).to.deep.equal(groups.map(named));
    }
  });

  it('source ids (ERP document numbers, PSP ids, webhook keys): the spec pattern refuses what sourceIdPattern refuses in the BMP', () => {
    const cases: [RegExp, unknown][] = [
      [sourceIdPattern(100), (schema('ErpDocument').properties as Node).documentNumber],
      [sourceIdPattern(100), (schema('PspSettlementLine').properties as Node).lineId],
      [sourceIdPattern(200), (schema('ScayleWebhookEnvelope').properties as Node).key],
    ];
    for (const [api, property] of cases) {
      const pattern = specRegExp((property as Node).pattern);
      const differ = BMP.filter((ch) => api.test(ch) !== pattern.test(ch));
      expect(differ.map((ch) => ch.charCodeAt(0).toString(16)), String(pattern)).to.deep.equal([]);
      expect(pattern.test('x'.repeat(api === cases[2]![0] ? 200 : 100))).to.equal(true);
      expect(pattern.test('x'.repeat(api === cases[2]![0] ? 201 : 101))).to.equal(false);
    }
  });

  it('codes that travel on (tax codes, variant keys, ERP item numbers) and command reasons: the spec pattern is the DTO one over the BMP', () => {
    const props = (name: string): Node => schema(name).properties as Node;
    const correctionItem = ((props('CorrectLineItems').items as Node).items as Node).properties as Node;
    const codes = [props('TaxCodeMapping').tax_code, props('ItemMapping').variant_reference_key, props('ItemMapping').erp_item_number, correctionItem.tax_code];
    for (const property of codes) {
      const pattern = specRegExp((property as Node).pattern);
      expect(BMP.filter((ch) => CODE_TEXT.test(`A${ch}`) !== pattern.test(`A${ch}`)).map((ch) => ch.charCodeAt(0).toString(16)), String(pattern)).to.deep.equal([]);
      expect(pattern.test('  ')).to.equal(false);
      expect(CODE_TEXT.test('  ')).to.equal(false);
    }
    for (const name of ['RequestRefund', 'CorrectLineItems']) {
      expect(String((props(name).reason as Node).pattern)).to.equal(TEXT.source);
    }
  });

  it('decision texts, assignees and dismissal reasons: the same patterns as the DTOs', () => {
    const props = (name: string) => schema(name).properties as Node;
    const texts = [(props('AcknowledgeException').note as Node).pattern, (props('ResolveException').note as Node).pattern, (props('ReopenException').reason as Node).pattern];
    for (const p of texts) expect(p).to.equal(TEXT.source);
    expect((props('AssignException').assignee as Node).pattern).to.equal(ASSIGNEE.source);
  });

  it('Idempotency-Key: the spec pattern takes the printable ASCII KEY_RE takes', () => {
    for (const name of ['IdempotencyKey', 'IdempotencyKeyRequired']) {
      const pattern = specRegExp((at('components', 'parameters', name).schema as Node).pattern);
      for (const ch of BMP.slice(0, 0x300)) expect(pattern.test(ch), `${name} ${ch.charCodeAt(0)}`).to.equal(KEY_RE.test(ch));
      expect(pattern.test('k'.repeat(255))).to.equal(true);
      expect(pattern.test('k'.repeat(256))).to.equal(false);
    }
  });

  it('Limit: 1–500, as the list queries take it', () => {
    const pattern = specRegExp((at('components', 'parameters', 'Limit').schema as Node).pattern);
    const taken = Array.from({ length: 1100 }, (_, n) => String(n)).filter((n) => pattern.test(n));
    expect(taken).to.have.length(500);
    expect(taken[0]).to.equal('1');
    expect(taken[499]).to.equal('500');
    expect(pattern.test('050')).to.equal(false);
  });

  it('Cursor: the pattern every paged list checks before decoding (no empty cursor)', () => {
    expect((at('components', 'parameters', 'Cursor').schema as Node).pattern).to.equal(CURSOR_PATTERN.source);
    expect(CURSOR_PATTERN.test('')).to.equal(false);
  });
});
