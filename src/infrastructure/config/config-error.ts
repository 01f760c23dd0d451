/** A setting that is wrong (thrown by `loadConfig` and `ensureDirectory`); `problems` names every variable that is wrong and why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
