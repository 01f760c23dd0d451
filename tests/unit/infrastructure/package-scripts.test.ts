import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

describe('package.json scripts', () => {
  it('npm start and npm run demo hand their shell over to node (exec), so a SIGTERM to npm reaches the service', () => {
    // npm forwards SIGTERM to the script's shell only; without exec the shell exited and left the
    // service running on its own, still holding the data directory's instance lock (fresh-user trial).
    const { scripts } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).to.match(/&& exec node bin\/scayle-ledger\.js serve$/);
    expect(scripts.demo).to.match(/&& exec node bin\/scayle-ledger\.js demo$/);
  });
});
