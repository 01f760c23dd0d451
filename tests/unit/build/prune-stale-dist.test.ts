import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { tempDir } from '../../support/temp-dir';

/** `scripts/prune-stale-dist.js`, run by `npm run build` after `tsc`. */
const SCRIPT = join(__dirname, '..', '..', '..', '..', 'scripts', 'prune-stale-dist.js');

describe('build: compiled files whose source is gone are removed from dist/', () => {
  const dir = tempDir();
  after(() => dir.remove());

  it('removes a compiled test whose .ts was deleted and keeps everything with a source, and other files', () => {
    const touch = (path: string) => {
      mkdirSync(join(dir.path, path, '..'), { recursive: true });
      writeFileSync(join(dir.path, path), '');
    };
    ['tests/kept.test.ts', 'src/kept.ts'].forEach(touch);
    const compiled = ['dist/tests/kept.test.js', 'dist/tests/kept.test.js.map', 'dist/src/kept.js', 'dist/src/kept.d.ts', 'dist/tests/gone.test.js', 'dist/tests/gone.test.js.map', 'dist/src/gone.d.ts', 'dist/.tsbuildinfo', 'dist/src/data.json'];
    compiled.forEach(touch);
    const out = execFileSync(process.execPath, [SCRIPT, dir.path], { encoding: 'utf8' });
    expect(out).to.equal('prune-stale-dist: removed 3 compiled file(s) whose source is gone\n');
    expect(compiled.filter((f) => existsSync(join(dir.path, f)))).to.deep.equal(['dist/tests/kept.test.js', 'dist/tests/kept.test.js.map', 'dist/src/kept.js', 'dist/src/kept.d.ts', 'dist/.tsbuildinfo', 'dist/src/data.json']);
  });
});
