import 'reflect-metadata';
import { Command } from 'commander';
import { packageVersion } from '../version';
import { registerServe } from './serve.command';
import { registerImport } from './import.command';
import { registerReplay } from './replay.command';
import { registerProjections } from './projections.command';
import { registerSimulate } from '../simulator/simulate.command';
import { registerEvaluate } from '../simulator/evaluate.command';
import { registerDemo } from '../simulator/demo.command';

/** Builds the `scayle-ledger` command line (commander). Later commands register here. */
export function buildProgram(): Command {
  const program = new Command('scayle-ledger')
    .description('Scayle ↔ ERP reconciliation ledger')
    .version(packageVersion())
    .showHelpAfterError();
  registerServe(program);
  registerImport(program);
  registerReplay(program);
  registerProjections(program);
  registerSimulate(program);
  registerEvaluate(program);
  registerDemo(program);
  return program;
}

/** Entry point of `bin/scayle-ledger.js`. */
export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
