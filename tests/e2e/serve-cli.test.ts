import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { ENV_SPECS } from '../../src/infrastructure/config/config';
import { tempDir } from '../support/temp-dir';

const BIN = join(__dirname, '../../../bin/scayle-ledger.js');

describe('scayle-ledger serve (CLI)', function () {
  this.timeout(30_000);

  it('starts on the embedded default, answers /v1/health, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LEDGER_DATA_DIR: dir.path, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const listening = await new Promise<{ port: number; projections: string; eventLogWriter: string }>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const line = out.split('\n').find((l) => l.includes('listening on'));
          if (line) resolve(JSON.parse(line) as { port: number; projections: string; eventLogWriter: string });
        });
        child.on('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
      });
      const port = listening.port;
      // The start-up line says where the work runs (trial: nothing told worker from main mode).
      expect([listening.projections, listening.eventLogWriter]).to.deep.equal(['worker thread', 'writer thread']);
      const health = (await (await fetch(`http://127.0.0.1:${port}/v1/health`)).json()) as { ready: boolean; checks: { kind: string }[] };
      expect(health.ready).to.equal(true);
      expect(health.checks.map((c) => c.kind)).to.include('sqlite');
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exit).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      dir.remove();
    }
  });

  it('refuses to start with invalid configuration and names the variable', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, PORT: 'eighty', LEDGER_TIMEZONE: 'Nowhere/City', LEDGER_PROJECTION_MAX_LATENCY: '1h' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).to.equal(1);
    expect(stderr).to.contain('PORT');
    expect(stderr).to.contain('LEDGER_TIMEZONE');
    expect(stderr).to.contain('LEDGER_PROJECTION_MAX_LATENCY: must be at most 1s');
  });

  it('lists every environment variable it reads under --help, with defaults', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).to.equal(0);
    for (const name of Object.keys(ENV_SPECS)) expect(stdout, name).to.match(new RegExp(`^  ${name}$`, 'm'));
    expect(stdout).to.contain('HTTP port of the service. (default: 8080)');
    expect(stdout).to.contain('LEDGER_SQLITE_SYNCHRONOUS');
  });
});
