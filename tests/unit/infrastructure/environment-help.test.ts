import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { environmentHelp } from '../../../src/infrastructure/cli/serve.command';
import { DEFAULT_CLOSE_BLOCKING_CODES, ENV_SPECS, loadConfig } from '../../../src/infrastructure/config/config';

/** Variable → the default `serve --help` shows for it (the text after `(default: `), or undefined when it shows none. */
function defaultsShown(): Map<string, string | undefined> {
  const shown = new Map<string, string | undefined>();
  const entry = /^ {2}([A-Z][A-Z0-9_]*)\n {6}(.*)$/gm;
  for (const [, name, line] of environmentHelp().matchAll(entry)) {
    shown.set(name!, / \(default: (.*)\)$/.exec(line!)?.[1]);
  }
  return shown;
}

/** Variable → the README "Configuration" table's default column. */
function readmeDefaults(): Map<string, string> {
  const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const [, name, fallback] of readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|/gm)) rows.set(name!, fallback!.trim());
  return rows;
}

describe('serve --help: environment defaults', () => {
  it('shows defaults as a user writes them in the environment, not in internal units or JSON', () => {
    const shown = defaultsShown();
    expect(shown.get('LEDGER_SHUTDOWN_TIMEOUT')).to.equal('10s');
    expect(shown.get('SCAYLE_SYNC_INTERVAL')).to.equal('15m');
    expect(shown.get('LEDGER_SETTLEMENT_GRACE')).to.equal('7d');
    expect(shown.get('LEDGER_PROJECTION_MAX_LATENCY')).to.equal('50ms');
    expect(shown.get('LEDGER_BODY_LIMIT')).to.equal('1mb');
    expect(shown.get('LEDGER_EXCEPTION_SLA')).to.equal('finance=3d,operations=1d,cx=2d');
    expect(shown.get('LEDGER_FRESHNESS_WINDOWS')).to.equal('1h,24h');
    expect(shown.get('LEDGER_TRADING_HOURS')).to.equal('Mon-Sun 00:00-24:00');
    expect(shown.get('LEDGER_ERP_EXPORT_TARGET')).to.equal('none');
    expect(shown.get('LEDGER_CLOSE_BLOCKING_CODES')).to.equal([...DEFAULT_CLOSE_BLOCKING_CODES].join(','));
    expect(shown.get('PORT')).to.equal('8080');
    expect(shown.get('LEDGER_TIMEZONE')).to.equal('Europe/Berlin');
    expect(shown.get('EVENTSTORE_CONNECTION_STRING')).to.equal('unset');
    expect(shown.get('LEDGER_ERP_FEE_ACCOUNTS')).to.equal('unset');
  });

  it('shows a default for every variable it lists, and lists every variable', () => {
    const shown = defaultsShown();
    expect([...shown.keys()]).to.deep.equal(Object.keys(ENV_SPECS));
    expect([...shown].filter(([, fallback]) => fallback === undefined).map(([name]) => name)).to.deep.equal([]);
  });

  it('every default it shows, written into the environment, configures the service exactly as leaving it unset does', () => {
    const unset = loadConfig({});
    for (const [name, fallback] of defaultsShown()) {
      if (fallback === 'unset') continue;
      expect(loadConfig({ [name]: fallback }), `${name}=${fallback}`).to.deep.equal(unset);
    }
  });

  it('shows the defaults the README configuration table gives', () => {
    const readme = readmeDefaults();
    for (const [name, fallback] of defaultsShown()) {
      // The README names this list ("finance error codes") and spells the codes out in its meaning column.
      if (name === 'LEDGER_CLOSE_BLOCKING_CODES') continue;
      expect(readme.get(name), name).to.equal(fallback);
    }
  });
});
