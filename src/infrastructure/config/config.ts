import { isAbsolute, resolve } from 'node:path';
import { cleanEnv, makeValidator, str } from 'envalid';
import ms from 'ms';
import { parseApiKeys, Role } from '../http/auth/api-keys';

/** A duration like `30s`, `15m`, `2h`, `3d` → milliseconds (via the `ms` library). */
export const duration = makeValidator<number>((input) => {
  const value = ms(input as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`must be a duration like 30s, 15m, 2h or 3d, got "${input}"`);
  }
  return value;
});

/** A TCP port, 0–65535 (0: any free port, for tests). */
export const tcpPort = makeValidator<number>((input) => {
  if (!/^\d{1,5}$/.test(input) || Number(input) > 65535) throw new Error(`must be a port number 0–65535, got "${input}"`);
  return Number(input);
});

/** An IANA time zone name such as `Europe/Berlin`. */
export const timeZone = makeValidator<string>((input) => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: input });
  } catch {
    throw new Error(`must be an IANA time zone such as Europe/Berlin, got "${input}"`);
  }
  return input;
});

/** A MongoDB connection string (`mongodb://` or `mongodb+srv://`, several hosts allowed). */
export const mongoUri = makeValidator<string>((input) => {
  if (!/^mongodb(\+srv)?:\/\/\S+$/.test(input)) throw new Error(`must start with mongodb:// or mongodb+srv:// (value not shown: it may hold credentials)`);
  return input;
});

/** A size for request bodies such as `1mb`, `512kb`. */
export const byteSize = makeValidator<string>((input) => {
  if (!/^\d+(b|kb|mb)$/i.test(input)) throw new Error(`must be a size like 512kb or 1mb, got "${input}"`);
  return input.toLowerCase();
});

/**
 * Every environment variable the service reads (README "Configuration" lists each of them; a test
 * keeps the two in step). Unset store variables select the embedded default (SQLite under
 * `LEDGER_DATA_DIR`).
 */
export const ENV_SPECS = {
  PORT: tcpPort({ default: 8080, desc: 'HTTP port of the service.' }),
  HOST: str({ default: '0.0.0.0', desc: 'Interface the HTTP server binds to.' }),
  LEDGER_DATA_DIR: str({ default: './data', desc: 'Directory of the embedded stores (SQLite files) and generated API keys.' }),
  EVENTSTORE_CONNECTION_STRING: str({
    default: undefined,
    desc: 'EventStoreDB/KurrentDB connection string (esdb://…). Unset: the embedded SQLite event log.',
  }),
  MONGODB_URI: mongoUri({ default: undefined, desc: 'MongoDB connection string for read models. Unset: embedded SQLite read models.' }),
  MONGODB_DATABASE: str({ default: 'scayle_ledger', desc: 'MongoDB database name for read models.' }),
  LEDGER_SQLITE_SYNCHRONOUS: str({
    default: 'FULL',
    choices: ['FULL', 'NORMAL'],
    desc: 'SQLite durability: FULL survives power loss; NORMAL only process crashes (README "Durability").',
  }),
  LEDGER_TIMEZONE: timeZone({ default: 'Europe/Berlin', desc: 'Company time zone (IANA) that accounting periods are cut in.' }),
  LEDGER_BODY_LIMIT: byteSize({ default: '1mb', desc: 'Largest accepted request body; larger bodies get 413.' }),
  LEDGER_SHUTDOWN_TIMEOUT: duration({ default: 10_000, desc: 'How long SIGTERM waits for in-flight requests before closing stores.' }),
  LEDGER_API_KEYS: str({
    default: undefined,
    desc: 'API keys as role:key pairs separated by commas (roles admin, finance, operations, cx, auditor, integrator). Unset: one random key per role is generated into LEDGER_DATA_DIR/api-keys.json (mode 0600).',
  }),
  LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], desc: 'Log level (JSON logs on stdout).' }),
} as const;

/** Validated configuration, as read once at start-up. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  eventStoreConnectionString: string | undefined;
  mongodbUri: string | undefined;
  mongodbDatabase: string;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  timezone: string;
  bodyLimit: string;
  shutdownTimeoutMs: number;
  logLevel: string;
  /** Parsed `LEDGER_API_KEYS`; undefined → generated local keys. Never log these. */
  apiKeys: { role: Role; key: string }[] | undefined;
}

/** Thrown by {@link loadConfig}; `problems` names every variable that is wrong and why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Reads and validates the environment.
 * @throws ConfigError listing every invalid variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const clean = cleanEnv(env, ENV_SPECS, {
    reporter: ({ errors }) => {
      for (const [name, err] of Object.entries(errors)) {
        problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  });
  let apiKeys: Config['apiKeys'];
  if (clean.LEDGER_API_KEYS) {
    try {
      apiKeys = parseApiKeys(clean.LEDGER_API_KEYS);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const dataDir = isAbsolute(clean.LEDGER_DATA_DIR) ? clean.LEDGER_DATA_DIR : resolve(clean.LEDGER_DATA_DIR);
  return {
    port: clean.PORT,
    host: clean.HOST,
    dataDir,
    eventStoreConnectionString: clean.EVENTSTORE_CONNECTION_STRING || undefined,
    mongodbUri: clean.MONGODB_URI || undefined,
    mongodbDatabase: clean.MONGODB_DATABASE,
    sqliteSynchronous: clean.LEDGER_SQLITE_SYNCHRONOUS as 'FULL' | 'NORMAL',
    timezone: clean.LEDGER_TIMEZONE,
    bodyLimit: clean.LEDGER_BODY_LIMIT,
    shutdownTimeoutMs: clean.LEDGER_SHUTDOWN_TIMEOUT,
    logLevel: clean.LOG_LEVEL,
    apiKeys,
  };
}
