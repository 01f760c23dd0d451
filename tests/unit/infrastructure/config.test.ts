import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, ENV_SPECS, loadConfig, PROJECTION_MAX_LATENCY_LIMIT_MS } from '../../../src/infrastructure/config/config';
import { MIN_POSITION_TIMEOUT_MS } from '../../../src/infrastructure/http/read-your-writes';

describe('configuration', () => {
  it('defaults to the embedded stores under ./data on port 8080', () => {
    const config = loadConfig({});
    expect(config.port).to.equal(8080);
    expect(config.dataDir).to.equal(join(process.cwd(), 'data'));
    expect(config.eventStoreConnectionString).to.equal(undefined);
    expect(config.mongodbUri).to.equal(undefined);
    expect(config.sqliteSynchronous).to.equal('FULL');
    expect(config.timezone).to.equal('Europe/Berlin');
  });

  it('reports every invalid variable at once, by name, without echoing a MongoDB URI', () => {
    try {
      loadConfig({ PORT: 'abc', LEDGER_TIMEZONE: 'Mars/Olympus', MONGODB_URI: 'http://user:secret@x', LEDGER_SHUTDOWN_TIMEOUT: 'soon' });
      expect.fail('expected ConfigError');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems.map((p) => p.split(':')[0]).sort()).to.deep.equal(['LEDGER_SHUTDOWN_TIMEOUT', 'LEDGER_TIMEZONE', 'MONGODB_URI', 'PORT']);
      expect((err as Error).message).to.not.contain('secret');
    }
  });

  it('parses durations and accepts replica-set MongoDB URIs', () => {
    const config = loadConfig({ LEDGER_SHUTDOWN_TIMEOUT: '2m', MONGODB_URI: 'mongodb://a:27017,b:27017/?replicaSet=rs0' });
    expect(config.shutdownTimeoutMs).to.equal(120_000);
    expect(config.mongodbUri).to.equal('mongodb://a:27017,b:27017/?replicaSet=rs0');
  });

  it('takes IP addresses and host names for HOST and refuses the rest, naming HOST', () => {
    for (const host of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'ledger-1.internal.example.com']) expect(loadConfig({ HOST: host }).host, host).to.equal(host);
    for (const host of ['999.1.1.1', '1.2.3', 'bad host', 'under_score', '-lead.example', '']) {
      try {
        loadConfig({ HOST: host });
        expect.fail(`HOST=${host} was taken`);
      } catch (err) {
        expect(err, host).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).problems.map((p) => p.split(':')[0]), host).to.deep.equal(['HOST']);
      }
    }
  });

  it('names a malformed SCAYLE_SYNC_SHOPS with the format it expects, not an envalid internal error', () => {
    try {
      loadConfig({ SCAYLE_SYNC_SHOPS: 'msde', SCAYLE_ADMIN_API_BASE_URL: 'https://admin.example.com', SCAYLE_ADMIN_API_TOKEN: 't' });
      expect.fail('expected ConfigError');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems).to.deep.equal(['SCAYLE_SYNC_SHOPS: must list shopKey:countryCode pairs such as msde:DE,msch:CH (shop key in lower case, an assigned ISO 3166-1 alpha-2 country in upper case, or XK), got "msde"']);
    }
  });

  it('refuses the same API key for two roles, naming the pairs and never the key', () => {
    try {
      loadConfig({ LEDGER_API_KEYS: 'admin:aaaaaaaaaaaaaaaaaaaa,cx:aaaaaaaaaaaaaaaaaaaa' });
      expect.fail('expected ConfigError');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems).to.deep.equal(['LEDGER_API_KEYS pair 2 (cx): the same key as pair 1; give every role its own keys']);
      expect((err as Error).message).to.not.contain('aaaa');
    }
    expect(loadConfig({ LEDGER_API_KEYS: 'admin:aaaaaaaaaaaaaaaaaaaa,admin:bbbbbbbbbbbbbbbbbbbb' }).apiKeys).to.have.length(2);
  });

  it('takes LEDGER_CURSOR_SECRET of 32 characters or more; a shorter one is refused by name without echoing it; unset is undefined', () => {
    expect(loadConfig({}).cursorSecret).to.equal(undefined);
    expect(loadConfig({ LEDGER_CURSOR_SECRET: 's'.repeat(32) }).cursorSecret).to.equal('s'.repeat(32));
    try {
      loadConfig({ LEDGER_CURSOR_SECRET: 'short-secret-xyz' });
      expect.fail('expected ConfigError');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems).to.deep.equal(['LEDGER_CURSOR_SECRET: must be at least 32 characters, e.g. from openssl rand -base64 32 (got 16; value not shown)']);
      expect((err as Error).message).to.not.contain('short-secret-xyz');
    }
  });

  it('bounds LEDGER_PROJECTION_MAX_LATENCY below the minPosition wait, refusing a longer one by name', () => {
    // A batch that waited longer than a minPosition read waits (5 s) would turn every read-your-writes read on a quiet service into a 503.
    expect(MIN_POSITION_TIMEOUT_MS).to.equal(5_000);
    expect(PROJECTION_MAX_LATENCY_LIMIT_MS).to.equal(1_000);
    expect(loadConfig({ LEDGER_PROJECTION_MAX_LATENCY: '1s' }).projections.maxLatencyMs).to.equal(1_000);
    expect(loadConfig({ LEDGER_PROJECTION_MAX_LATENCY: '0ms' }).projections.maxLatencyMs).to.equal(0);
    for (const value of ['1001ms', '5s', '1h']) {
      try {
        loadConfig({ LEDGER_PROJECTION_MAX_LATENCY: value });
        expect.fail(`LEDGER_PROJECTION_MAX_LATENCY=${value} was taken`);
      } catch (err) {
        expect(err, value).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).problems, value).to.deep.equal([
          `LEDGER_PROJECTION_MAX_LATENCY: must be at most 1s, so that a batch is written well before a minPosition read gives up (5s), got "${value}"`,
        ]);
      }
    }
  });

  it('README documents every environment variable the service reads', () => {
    const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
    const missing = Object.keys(ENV_SPECS).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).to.deep.equal([]);
  });
});
