import { isAbsolute, resolve } from 'node:path';
import { isIP } from 'node:net';
import { cleanEnv, makeValidator, str } from 'envalid';
import ms from 'ms';
import { parseTradingHours, TradingSpan } from '../../application/freshness/trading-hours';
import { isCountryCode, isShopKey } from '../../application/ingest/scayle/scayle-order-keys';
import { isCurrencyCode } from '../../domain/shared/currency';
import { FINDING_CODE_LIST, FINDING_CODES } from '../../domain/shared/findings';
import { parseApiKeys, Role } from '../http/auth/api-keys';
import { duration, durationAtMost, positiveInt, writtenDefault } from './validators';
import { MIN_POSITION_TIMEOUT_MS } from '../http/read-your-writes';
import { ConfigError } from './config-error';

export { ConfigError } from './config-error';
import { ERP_EXPORT_ENV_SPECS, erpExportConfig, type ErpExportConfig } from './erp-export.config';

export { duration, positiveInt } from './validators';

/** A TCP port, 0–65535 (0: any free port, for tests). */
/**
 * An interface to bind: an IPv4 or IPv6 address, or a host name (RFC 1123 labels). A name made of
 * digits and dots only must be an IPv4 address (`999.1.1.1` is refused, not looked up as a name).
 */
export const bindHost = makeValidator<string>((input) => {
  const value = input.trim();
  if (isIP(value)) return value;
  if (/^[\d.]+$/.test(value)) throw new Error(`${input} is not a valid IPv4 address`);
  const labels = value.replace(/\.$/, '').split('.');
  const label = /^[a-z\d]([a-z\d-]{0,61}[a-z\d])?$/i;
  if (value.length === 0 || value.length > 253 || !labels.every((l) => label.test(l))) throw new Error(`${input} is neither an IP address nor a host name`);
  return value;
});

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

/** `LEDGER_CURSOR_SECRET`: at least 32 characters (e.g. `openssl rand -base64 32`); the value is never echoed. */
export const cursorSecret = makeValidator<string>((input) => {
  if (input.length < 32) throw new Error(`must be at least 32 characters, e.g. from openssl rand -base64 32 (got ${input.length}; value not shown)`);
  return input;
});

/** A non-negative decimal string (`0.05`). */
export const decimalString = makeValidator<string>((input) => {
  if (!/^\d+(\.\d+)?$/.test(input)) throw new Error(`must be a non-negative decimal such as 0.05, got "${input}"`);
  return input;
});

/**
 * `owner[:severity]=duration` pairs, e.g. `finance=3d,operations=1d,cx=2d,finance:info=14d`, to
 * milliseconds keyed `owner` or `owner:severity`.
 */
export const exceptionSla = makeValidator<Record<string, number>>((input) => {
  const out: Record<string, number> = {};
  for (const pair of input.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(finance|operations|cx)(?::(info|warning|error))?=(.+)$/.exec(pair);
    const value = m ? ms(m[3] as ms.StringValue) : undefined;
    if (!m || typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new Error(`must be owner[:severity]=duration pairs such as finance=3d,operations=1d, got "${pair}"`);
    out[m[2] ? `${m[1]}:${m[2]}` : m[1]!] = value;
  }
  return out;
});

/** A non-negative integer (0 switches a limit off). */
export const nonNegativeInt = makeValidator<number>((input) => {
  if (!/^\d{1,9}$/.test(input)) throw new Error(`must be a whole number ≥ 0, got "${input}"`);
  return Number(input);
});

/** `1h,24h` → window lengths in milliseconds, each > 0. */
export const durationList = makeValidator<number[]>((input) => {
  const items = input.split(',').map((p) => p.trim()).filter(Boolean);
  const values = items.map((i) => ms(i as ms.StringValue));
  if (items.length === 0 || values.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) throw new Error(`must list durations such as 1h,24h, got "${input}"`);
  return values as number[];
});

/** `Mon-Fri 08:00-20:00,Sat 09:00-18:00` (company time zone). */
export const tradingHours = makeValidator<TradingSpan[]>((input) => parseTradingHours(input));

const BYTE_SIZE = /^(\d+)(b|kb|mb)$/i;
const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** A size for request bodies such as `1mb`, `512kb` (lower-cased; {@link byteCount} gives its bytes). */
export const byteSize = makeValidator<string>((input) => {
  if (!BYTE_SIZE.test(input)) throw new Error(`must be a size like 512kb or 1mb, got "${input}"`);
  return input.toLowerCase();
});

/**
 * Bytes of a size {@link byteSize} takes: `512kb` → 524288, `1mb` → 1048576 (multiples of 1024, as
 * the `bytes` package body-parser reads its `limit` with computes them), so a `Content-Length`
 * refused before the body is read (body-admission.ts) and body-parser's limit while reading agree.
 * @throws Error for any other form.
 */
export function byteCount(size: string): number {
  const match = BYTE_SIZE.exec(size);
  if (!match) throw new Error(`must be a size like 512kb or 1mb, got "${size}"`);
  return Number(match[1]) * BYTE_UNITS[match[2]!.toLowerCase()]!;
}

/** `msde:DE,msch:CH` → shop countries to sync. */
export const syncShops = makeValidator<{ shopKey: string; countryCode: string }[]>((input) => {
  const pairs = input.split(',').map((p) => p.trim()).filter(Boolean);
  if (pairs.length === 0) throw new Error('must list shopKey:countryCode pairs such as msde:DE,msch:CH');
  return pairs.map((pair) => {
    const [shopKey, countryCode, ...rest] = pair.split(':');
    // The same forms the Scayle mappers take (scayle-order-keys.ts): the pair names order streams.
    if (rest.length > 0 || !isShopKey(shopKey) || !isCountryCode(countryCode)) {
      throw new Error(`must list shopKey:countryCode pairs such as msde:DE,msch:CH (shop key in lower case, an assigned ISO 3166-1 alpha-2 country in upper case, or XK), got "${pair}"`);
    }
    return { shopKey, countryCode };
  });
});

/** An ISO 4217 code. */
export const companyCurrency = makeValidator<string>((input) => {
  if (!isCurrencyCode(input)) throw new Error(`must be an ISO 4217 currency code such as EUR, got "${input}"`);
  return input;
});

/** Finding codes separated by commas (`AMOUNT_MISMATCH,TAX_MISMATCH`); `none` for an empty list. */
export const findingCodes = makeValidator<string[]>((input) => {
  if (input.trim() === 'none') return [];
  const codes = input.split(',').map((c) => c.trim()).filter(Boolean);
  const unknown = codes.filter((c) => !(c in FINDING_CODES));
  if (codes.length === 0 || unknown.length > 0) throw new Error(`must list finding codes (${FINDING_CODE_LIST.join(', ')}) or none; unknown: ${unknown.join(', ') || '(empty)'}`);
  return [...new Set(codes)].sort();
});

/** Default blocking codes of a period close: every finance code of severity `error`, sorted (as {@link findingCodes} gives a configured list). */
export const DEFAULT_CLOSE_BLOCKING_CODES: readonly string[] = FINDING_CODE_LIST.filter((c) => FINDING_CODES[c].owner === 'finance' && FINDING_CODES[c].severity === 'error').sort();

/**
 * Upper bound of `LEDGER_PROJECTION_MAX_LATENCY`, milliseconds: a fifth of the `minPosition` wait
 * ({@link MIN_POSITION_TIMEOUT_MS}), so that on a quiet service a batch holding a single write is
 * written (its wait plus the batch's evaluation and commit) before a read-your-writes read gives up
 * with 503. Longer waits are refused at start-up.
 */
export const PROJECTION_MAX_LATENCY_LIMIT_MS = MIN_POSITION_TIMEOUT_MS / 5;

/**
 * Every environment variable the service reads (README "Configuration" lists each of them; a test
 * keeps the two in step). Unset store variables select the embedded default (SQLite under
 * `LEDGER_DATA_DIR`).
 */
export const ENV_SPECS = {
  PORT: writtenDefault('8080', tcpPort({ desc: 'HTTP port of the service.' })),
  HOST: writtenDefault('0.0.0.0', bindHost({ desc: 'Interface the HTTP server binds to (an IP address or host name).' })),
  LEDGER_DATA_DIR: writtenDefault('./data', str({ desc: 'Directory of the embedded stores (SQLite files) and generated API keys.' })),
  EVENTSTORE_CONNECTION_STRING: str({
    default: undefined,
    desc: 'EventStoreDB/KurrentDB connection string (esdb://…). Unset: the embedded SQLite event log.',
  }),
  MONGODB_URI: mongoUri({ default: undefined, desc: 'MongoDB connection string for read models. Unset: embedded SQLite read models.' }),
  MONGODB_DATABASE: writtenDefault('scayle_ledger', str({ desc: 'MongoDB database name for read models.' })),
  LEDGER_SQLITE_SYNCHRONOUS: writtenDefault('FULL', str({
    choices: ['FULL', 'NORMAL'],
    desc: 'SQLite durability: FULL survives power loss; NORMAL only process crashes (README "Durability").',
  })),
  LEDGER_EVENT_LOG_WRITER: writtenDefault('thread', str({
    choices: ['thread', 'main'],
    desc: 'Where the embedded event log commits appends: thread (a writer thread with its own connection, so a commit and its fsync do not hold up requests) or main (in the main thread).',
  })),
  LEDGER_TIMEZONE: writtenDefault('Europe/Berlin', timeZone({ desc: 'Company time zone (IANA) that accounting periods are cut in.' })),
  LEDGER_BODY_LIMIT: writtenDefault('1mb', byteSize({ desc: 'Largest accepted request body (b, kb, mb; multiples of 1024); larger bodies get 413, at once with Connection: close when the Content-Length says so.' })),
  LEDGER_SHUTDOWN_TIMEOUT: writtenDefault('10s', duration({ desc: 'How long SIGTERM waits for in-flight requests before closing stores.' })),
  LEDGER_INSTANCE_LOCK_WAIT: writtenDefault('30s', duration({
    desc: 'How long serve (and import, simulate --in-process) waits for another process holding LEDGER_DATA_DIR (its instance lock) to stop before giving up.',
  })),
  LEDGER_API_KEYS: str({
    default: undefined,
    desc: 'API keys as role:key pairs separated by commas (roles admin, finance, operations, cx, auditor, integrator). Unset: one random key per role is generated into LEDGER_DATA_DIR/api-keys.json (mode 0600).',
  }),
  LEDGER_CURSOR_SECRET: cursorSecret({
    default: undefined,
    desc: 'Key that signs list paging cursors (HMAC-SHA256), at least 32 characters; give every instance behind one address the same. Unset: a random key per start, so a cursor handed out before a restart is a 400 naming cursor and the client pages again from the first page.',
  }),
  // ── ingest (issue 4) ──
  SCAYLE_WEBHOOK_USERNAME: str({ default: undefined, desc: 'HTTP Basic user name Scayle webhooks must send. Unset (or no password): the webhook route answers 503.' }),
  SCAYLE_WEBHOOK_PASSWORD: str({ default: undefined, desc: 'HTTP Basic password Scayle webhooks must send (compared in constant time).' }),
  SCAYLE_ADMIN_API_BASE_URL: str({ default: undefined, desc: 'Scayle Admin API base, e.g. https://{tenant}-{space}.admin.api.scayle.cloud/api/admin/v1.' }),
  SCAYLE_ADMIN_API_TOKEN: str({ default: undefined, desc: 'Scayle Admin API access token (sent as X-Access-Token).' }),
  SCAYLE_SYNC_SHOPS: syncShops({ default: undefined, desc: 'Shop countries the Admin API sync polls, as shopKey:countryCode pairs (msde:DE,msch:CH). Unset: sync off.' }),
  SCAYLE_SYNC_INTERVAL: writtenDefault('15m', duration({ desc: 'How often the Admin API sync polls each shop country (15m, 1h…).' })),
  LEDGER_COMPANY_CURRENCY: writtenDefault('EUR', companyCurrency({ desc: 'Company (local) currency: what a blank Business Central currencyCode means.' })),
  // ── outbox to Scayle (issue 6) ──
  SCAYLE_ADMIN_API_TIMEOUT: writtenDefault('10s', duration({ desc: 'Timeout of one Scayle Admin API call made by the outbox dispatcher.' })),
  SCAYLE_DISPATCH_MAX_ATTEMPTS: writtenDefault('8', positiveInt({ desc: 'Attempts per refund/correction sent to Scayle before it is given up as ScayleDispatchFailed (SYNC_FAILURE).' })),
  SCAYLE_DISPATCH_RETRY_BASE: writtenDefault('1s', duration({ desc: 'First back-off delay between Scayle dispatch attempts; doubles per attempt, with jitter.' })),
  SCAYLE_DISPATCH_RETRY_MAX: writtenDefault('5m', duration({ desc: 'Longest back-off delay between Scayle dispatch attempts.' })),
  // ── reconciliation policy (issue 6 plugs the mappings in; DESIGN §5–§6) ──
  LEDGER_ERP_ROUNDING_LEVEL: writtenDefault('per_document', str({ choices: ['per_line', 'per_document'], desc: 'How the ERP rounds VAT: per line, or per document with the remainder distributed to lines (Business Central).' })),
  LEDGER_ERP_ROUNDING_MODE: writtenDefault('half_up', str({ choices: ['half_up', 'half_even', 'up', 'down'], desc: 'Rounding mode of the ERP.' })),
  LEDGER_ERP_PRICES_INCLUDE_TAX: writtenDefault('false', str({ choices: ['true', 'false'], desc: 'Whether ERP prices include tax.' })),
  LEDGER_MATERIALITY_CAP: decimalString({ default: undefined, desc: 'Largest rounding difference auto-accepted per document, in the document currency (e.g. 0.05). Unset: 5 minor units of the currency.' }),
  LEDGER_SETTLEMENT_GRACE: writtenDefault('7d', duration({ desc: 'How long a Scayle capture or refund may wait for its PSP settlement line (and a PSP line for Scayle\'s payment) before the difference is a per-order SETTLEMENT_DRIFT (7d, 3d…).' })),
  // ── period close (issue 7) ──
  LEDGER_CLOSE_BLOCKING_CODES: writtenDefault(DEFAULT_CLOSE_BLOCKING_CODES.join(','), findingCodes({
    desc: 'Finding codes whose open exceptions block a period close unless overridden with a reason (comma-separated, or none); the default lists every finance code of severity error.',
  })),
  LEDGER_CLOSE_CATCHUP_TIMEOUT: writtenDefault('10s', duration({ desc: 'How long a period close waits for lagging projections to reach the log head before refusing (409).' })),
  // ── operations (issue 9) ──
  LEDGER_INGEST_RATE_LIMIT: writtenDefault('6000', nonNegativeInt({ desc: 'Requests per LEDGER_INGEST_RATE_WINDOW one client (API key, webhook credentials, or address) may send to /v1/ingest/*; more get 429 with Retry-After. 0: no limit.' })),
  LEDGER_INGEST_RATE_WINDOW: writtenDefault('1m', duration({ desc: 'Window of the ingest rate limit.' })),
  LEDGER_FRESHNESS_WINDOWS: writtenDefault('1h,24h', durationList({ desc: 'Windows GET /v1/freshness counts events per source in (1h,24h).' })),
  LEDGER_FRESHNESS_CHECK_INTERVAL: writtenDefault('1m', duration({ desc: 'How often the STALE_SYNC checks run.' })),
  LEDGER_STALE_ERP_LAG: writtenDefault('6h', duration({ desc: 'STALE_SYNC when Scayle invoiced and no ERP document arrived for this long.' })),
  LEDGER_STALE_WEBHOOK_SILENCE: writtenDefault('30m', duration({ desc: 'STALE_SYNC when no Scayle webhook arrived for this long during trading hours while the Admin API sync sees newer orders.' })),
  LEDGER_TRADING_HOURS: writtenDefault('Mon-Sun 00:00-24:00', tradingHours({ desc: 'When the shop trades, in LEDGER_TIMEZONE (Mon-Fri 08:00-20:00,Sat 09:00-18:00); webhook silence counts only then.' })),
  LEDGER_STALE_PROJECTION_LAG: writtenDefault('5m', duration({ desc: 'STALE_SYNC when a projection has had an unprocessed event waiting for this long.' })),
  // ── export to the ERP (issue 10) ──
  ...ERP_EXPORT_ENV_SPECS,
  // ── projections and read models (issue 5) ──
  LEDGER_PROJECTION_THREAD: writtenDefault('worker', str({
    choices: ['worker', 'main'],
    desc: 'Where the projection runner and the grace-window scheduler work: worker (a worker thread of their own, so HTTP requests and appends keep the main thread) or main (in the main thread, as one event loop).',
  })),
  LEDGER_PROJECTION_BATCH_SIZE: writtenDefault('500', positiveInt({ desc: 'Events per projection batch (one read-model commit, checkpoint included).' })),
  LEDGER_PROJECTION_MAX_LATENCY: writtenDefault(
    '50ms',
    durationAtMost(PROJECTION_MAX_LATENCY_LIMIT_MS, `so that a batch is written well before a minPosition read gives up (${ms(MIN_POSITION_TIMEOUT_MS)})`)({
      desc: `Longest a projection batch waits for more events before it is written (50ms, 1s…; at most ${ms(PROJECTION_MAX_LATENCY_LIMIT_MS)}, below the ${ms(MIN_POSITION_TIMEOUT_MS)} a minPosition read waits).`,
    }),
  ),
  LEDGER_PROJECTION_STATE_CACHE: writtenDefault('3000', positiveInt({ desc: 'Order states the reconciliation projection keeps in memory, about 12 KiB of heap each for an order with four Scayle snapshots and three ERP documents (a miss re-reads the order stream).' })),
  LEDGER_EXCEPTION_SLA: writtenDefault('finance=3d,operations=1d,cx=2d', exceptionSla({
    desc: 'Time to work an exception, per owner queue and optionally severity, as owner[:severity]=duration pairs (finance=3d,operations=1d,cx=2d,finance:info=14d). Sets each exception\'s dueAt.',
  })),
  LEDGER_PENDING_REVIEW_AFTER: writtenDefault('15m', duration({ desc: 'How long after an evaluation a pending order (counterpart inside its grace window) is re-evaluated by the scheduler.' })),
  LEDGER_REEVALUATE_INTERVAL: writtenDefault('1m', duration({ desc: 'How often the grace-window scheduler looks for pending orders that are due for re-evaluation.' })),
  LOG_LEVEL: writtenDefault('info', str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], desc: 'Log level (JSON logs on stdout).' })),
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
  /** `thread`: the embedded log commits in a writer thread; `main`: in the main thread. */
  eventLogWriter: 'thread' | 'main';
  timezone: string;
  bodyLimit: string;
  shutdownTimeoutMs: number;
  /** How long a writing command waits for the data directory's instance lock, milliseconds. */
  instanceLockWaitMs: number;
  logLevel: string;
  /** Base of the reconciliation policy (mappings are added from the store). */
  reconciliation: {
    erpProfile: { level: 'per_line' | 'per_document'; mode: 'half_up' | 'half_even' | 'up' | 'down'; pricesIncludeTax: boolean };
    materialityCap: string | undefined;
    /** Grace windows set by configuration, in seconds (`GraceWindows`; the others keep their defaults). */
    graceWindows: { settlement: number };
  };
  /** Projections and read models (issue 5). */
  projections: {
    /** `worker`: the runner and the grace-window scheduler work in a worker thread; `main`: in the main thread. */
    thread: 'worker' | 'main';
    batchSize: number;
    maxLatencyMs: number;
    stateCacheSize: number;
    exceptionSlaMs: Record<string, number>;
    pendingReviewAfterMs: number;
    reevaluateIntervalMs: number;
  };
  /** Outbox to Scayle (issue 6): call timeout and retry policy. Base URL and token: `ingest.adminApi`. */
  scayleDispatch: { timeoutMs: number; maxAttempts: number; retryBaseMs: number; retryMaxMs: number };
  /** Period close (issue 7). */
  periodClose: { blockingCodes: string[]; catchUpTimeoutMs: number };
  /** Operations (issue 9): ingest rate limit, freshness windows and STALE_SYNC thresholds. */
  ops: {
    ingestRateLimit: { limit: number; windowMs: number };
    freshnessWindowsMs: number[];
    freshnessCheckIntervalMs: number;
    staleErpLagMs: number;
    staleWebhookSilenceMs: number;
    tradingHours: TradingSpan[];
    staleProjectionLagMs: number;
  };
  /** `LEDGER_CURSOR_SECRET`: the key list cursors are signed with; undefined → a random key per start. Never log it. */
  cursorSecret: string | undefined;
  /** Parsed `LEDGER_API_KEYS`; undefined → generated local keys. Never log these. */
  apiKeys: { role: Role; key: string }[] | undefined;
  /** Ingestion (issue 4). Never log the secrets. */
  ingest: {
    webhookCredentials: { username: string; password: string } | undefined;
    adminApi: { baseUrl: string; token: string } | undefined;
    /** Empty: the Admin API sync is off. */
    syncShops: { shopKey: string; countryCode: string }[];
    syncIntervalMs: number;
    companyCurrency: string;
  };
  /** Order flow to the ERP (issue 10). Never log the secrets. */
  erpExport: ErpExportConfig;
}


/**
 * Reads and validates the environment.
 * @throws ConfigError listing every invalid variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const refused = new Set<string>();
  const clean = cleanEnv(env, ENV_SPECS, {
    reporter: ({ errors }) => {
      for (const [name, err] of Object.entries(errors)) {
        refused.add(name);
        problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  });
  // envalid's result throws on reading a variable it refused: the cross-checks read only accepted ones.
  const accepted = (name: keyof typeof ENV_SPECS) => !refused.has(name);
  let apiKeys: Config['apiKeys'];
  if (accepted('LEDGER_API_KEYS') && clean.LEDGER_API_KEYS) {
    try {
      apiKeys = parseApiKeys(clean.LEDGER_API_KEYS);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (accepted('SCAYLE_SYNC_SHOPS') && accepted('SCAYLE_ADMIN_API_BASE_URL') && accepted('SCAYLE_ADMIN_API_TOKEN') && clean.SCAYLE_SYNC_SHOPS && !(clean.SCAYLE_ADMIN_API_BASE_URL && clean.SCAYLE_ADMIN_API_TOKEN)) {
    problems.push('SCAYLE_SYNC_SHOPS: the Admin API sync needs SCAYLE_ADMIN_API_BASE_URL and SCAYLE_ADMIN_API_TOKEN');
  }
  if (accepted('SCAYLE_ADMIN_API_BASE_URL') && clean.SCAYLE_ADMIN_API_BASE_URL && !/^https?:\/\/\S+$/.test(clean.SCAYLE_ADMIN_API_BASE_URL)) {
    problems.push('SCAYLE_ADMIN_API_BASE_URL: must be an http(s) URL');
  }
  // envalid's result throws on reading a variable it refused: check the export settings only once the rest is valid.
  if (problems.length > 0) throw new ConfigError(problems);
  const erpExport = erpExportConfig(clean, problems);
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
    eventLogWriter: clean.LEDGER_EVENT_LOG_WRITER as 'thread' | 'main',
    timezone: clean.LEDGER_TIMEZONE,
    bodyLimit: clean.LEDGER_BODY_LIMIT,
    shutdownTimeoutMs: clean.LEDGER_SHUTDOWN_TIMEOUT,
    instanceLockWaitMs: clean.LEDGER_INSTANCE_LOCK_WAIT,
    logLevel: clean.LOG_LEVEL,
    reconciliation: {
      erpProfile: {
        level: clean.LEDGER_ERP_ROUNDING_LEVEL as 'per_line' | 'per_document',
        mode: clean.LEDGER_ERP_ROUNDING_MODE as 'half_up' | 'half_even' | 'up' | 'down',
        pricesIncludeTax: clean.LEDGER_ERP_PRICES_INCLUDE_TAX === 'true',
      },
      materialityCap: clean.LEDGER_MATERIALITY_CAP || undefined,
      graceWindows: { settlement: clean.LEDGER_SETTLEMENT_GRACE / 1000 },
    },
    projections: {
      thread: clean.LEDGER_PROJECTION_THREAD as 'worker' | 'main',
      batchSize: clean.LEDGER_PROJECTION_BATCH_SIZE,
      maxLatencyMs: clean.LEDGER_PROJECTION_MAX_LATENCY,
      stateCacheSize: clean.LEDGER_PROJECTION_STATE_CACHE,
      exceptionSlaMs: clean.LEDGER_EXCEPTION_SLA,
      pendingReviewAfterMs: clean.LEDGER_PENDING_REVIEW_AFTER,
      reevaluateIntervalMs: clean.LEDGER_REEVALUATE_INTERVAL,
    },
    scayleDispatch: {
      timeoutMs: clean.SCAYLE_ADMIN_API_TIMEOUT,
      maxAttempts: clean.SCAYLE_DISPATCH_MAX_ATTEMPTS,
      retryBaseMs: clean.SCAYLE_DISPATCH_RETRY_BASE,
      retryMaxMs: clean.SCAYLE_DISPATCH_RETRY_MAX,
    },
    ops: {
      ingestRateLimit: { limit: clean.LEDGER_INGEST_RATE_LIMIT, windowMs: clean.LEDGER_INGEST_RATE_WINDOW },
      freshnessWindowsMs: clean.LEDGER_FRESHNESS_WINDOWS,
      freshnessCheckIntervalMs: clean.LEDGER_FRESHNESS_CHECK_INTERVAL,
      staleErpLagMs: clean.LEDGER_STALE_ERP_LAG,
      staleWebhookSilenceMs: clean.LEDGER_STALE_WEBHOOK_SILENCE,
      tradingHours: clean.LEDGER_TRADING_HOURS,
      staleProjectionLagMs: clean.LEDGER_STALE_PROJECTION_LAG,
    },
    apiKeys,
    cursorSecret: clean.LEDGER_CURSOR_SECRET || undefined,
    periodClose: { blockingCodes: clean.LEDGER_CLOSE_BLOCKING_CODES, catchUpTimeoutMs: clean.LEDGER_CLOSE_CATCHUP_TIMEOUT },
    ingest: {
      webhookCredentials:
        clean.SCAYLE_WEBHOOK_USERNAME && clean.SCAYLE_WEBHOOK_PASSWORD ? { username: clean.SCAYLE_WEBHOOK_USERNAME, password: clean.SCAYLE_WEBHOOK_PASSWORD } : undefined,
      adminApi:
        clean.SCAYLE_ADMIN_API_BASE_URL && clean.SCAYLE_ADMIN_API_TOKEN ? { baseUrl: clean.SCAYLE_ADMIN_API_BASE_URL.replace(/\/+$/, ''), token: clean.SCAYLE_ADMIN_API_TOKEN } : undefined,
      syncShops: clean.SCAYLE_SYNC_SHOPS ?? [],
      syncIntervalMs: clean.SCAYLE_SYNC_INTERVAL,
      companyCurrency: clean.LEDGER_COMPANY_CURRENCY,
    },
    erpExport,
  };
}
