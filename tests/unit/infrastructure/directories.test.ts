import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../../src/infrastructure/config/config';
import { ensureDirectory } from '../../../src/infrastructure/config/directories';
import { createEventStoreAdapter } from '../../../src/infrastructure/di/modules/event-store.module';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

const problemOf = (fn: () => void): string => {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
};

describe('ensureDirectory (LEDGER_DATA_DIR and other directories)', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('creates missing parents one level at a time and accepts an existing directory', () => {
    const path = join(dir.path, 'a', 'b', 'c');
    ensureDirectory(path, 'LEDGER_DATA_DIR');
    expect(statSync(path).isDirectory()).to.equal(true);
    ensureDirectory(path, 'LEDGER_DATA_DIR');
  });

  it('names the setting when a part of the path is a file', () => {
    const file = join(dir.path, 'file');
    writeFileSync(file, 'x');
    expect(problemOf(() => ensureDirectory(file, 'LEDGER_DATA_DIR'))).to.match(/^LEDGER_DATA_DIR: cannot use .*file: .* is not a directory$/);
    expect(problemOf(() => ensureDirectory(join(file, 'below'), '--out'))).to.match(/^--out: cannot use .*: a part of it is a file, not a directory$/);
  });

  it('fails at once where it can never create the directory (recursive mkdir retries there without end)', function () {
    if (!existsSync('/proc/self')) this.skip();
    expect(problemOf(() => ensureDirectory('/proc/no-such-dir/ledger', 'LEDGER_DATA_DIR'))).to.equal('LEDGER_DATA_DIR: cannot create /proc/no-such-dir (ENOENT)');
  });
});

describe('opening the event log names the setting behind a failure', () => {
  it('LEDGER_DATA_DIR where SQLite cannot create the log (/proc), EVENTSTORE_CONNECTION_STRING that does not parse (password blanked)', function () {
    if (!existsSync('/proc/self')) this.skip();
    expect(problemOf(() => createEventStoreAdapter(testConfig('/proc')))).to.equal('LEDGER_DATA_DIR: cannot use /proc/events.db: unable to open database file');
    const problem = problemOf(() => createEventStoreAdapter(testConfig('/tmp', { EVENTSTORE_CONNECTION_STRING: 'bogus://ledger:s3cret-pass@db:2113' })));
    expect(problem).to.match(/^EVENTSTORE_CONNECTION_STRING: cannot use the EventStoreDB connection string: /);
    expect(problem).to.not.contain('s3cret-pass');
  });
});
