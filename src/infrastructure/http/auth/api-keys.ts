import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ensureDirectory } from '../../config/directories';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** API roles (DESIGN §10). `auditor` is read-only plus replay; `integrator` ingests and sends commands. */
export const ROLES = ['admin', 'finance', 'operations', 'cx', 'auditor', 'integrator'] as const;
export type Role = (typeof ROLES)[number];

/** Who called: the role and a non-secret id of the key (first 12 hex digits of its SHA-256). */
export interface Principal {
  role: Role;
  keyId: string;
}

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * The configured API keys. Keys are held only as SHA-256 digests and compared in constant time, so
 * neither the map nor a timing side channel gives a key away.
 */
export class ApiKeyRegistry {
  private readonly entries: { digest: Buffer; principal: Principal }[];

  constructor(keys: readonly { role: Role; key: string }[]) {
    this.entries = keys.map(({ role, key }) => {
      const d = digest(key);
      return { digest: d, principal: { role, keyId: d.toString('hex').slice(0, 12) } };
    });
  }

  /** The principal of a presented key, or undefined. */
  authenticate(presented: string): Principal | undefined {
    const d = digest(presented);
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, d)) found = entry.principal;
    }
    return found;
  }

  get size(): number {
    return this.entries.length;
  }
}

/** Thrown when `LEDGER_API_KEYS` is malformed; the message never contains a key. */
export class ApiKeyConfigError extends Error {}

/**
 * Parses `LEDGER_API_KEYS`: `role:key` pairs separated by commas (`finance:abc123,integrator:def456`).
 * A role may have several keys. Keys must be at least 16 characters, and a key belongs to one pair
 * only (the same key for two roles would act as whichever role is looked up last).
 * @throws ApiKeyConfigError naming the position of a bad pair (never the key).
 */
export function parseApiKeys(value: string): { role: Role; key: string }[] {
  const pairs = value.split(',').map((p) => p.trim()).filter(Boolean);
  if (pairs.length === 0) throw new ApiKeyConfigError('LEDGER_API_KEYS is set but holds no role:key pair');
  const firstPairOf = new Map<string, number>();
  return pairs.map((pair, i) => {
    const colon = pair.indexOf(':');
    const role = colon > 0 ? pair.slice(0, colon) : '';
    const key = colon > 0 ? pair.slice(colon + 1) : '';
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new ApiKeyConfigError(`LEDGER_API_KEYS pair ${i + 1}: role must be one of ${ROLES.join(', ')}`);
    }
    if (key.length < 16) throw new ApiKeyConfigError(`LEDGER_API_KEYS pair ${i + 1} (${role}): key must be at least 16 characters`);
    const first = firstPairOf.get(key);
    if (first !== undefined) throw new ApiKeyConfigError(`LEDGER_API_KEYS pair ${i + 1} (${role}): the same key as pair ${first + 1}; give every role its own keys`);
    firstPairOf.set(key, i);
    return { role: role as Role, key };
  });
}

/**
 * When `LEDGER_API_KEYS` is unset: one random key per role, generated once and kept in
 * `<dataDir>/api-keys.json` with owner-only permissions (0600), reused on later starts.
 * Returns the keys and the file path (which the service prints; it never logs the keys).
 */
export function loadOrCreateLocalKeys(dataDir: string): { keys: { role: Role; key: string }[]; file: string; created: boolean } {
  const file = join(dataDir, 'api-keys.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<Role, string>>;
    const keys = ROLES.filter((r) => typeof stored[r] === 'string').map((role) => ({ role, key: stored[role]! }));
    if (keys.length === ROLES.length) return { keys, file, created: false };
  }
  ensureDirectory(dataDir, 'LEDGER_DATA_DIR');
  const generated = Object.fromEntries(ROLES.map((role) => [role, `${role}_${randomBytes(24).toString('base64url')}`])) as Record<Role, string>;
  writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { keys: ROLES.map((role) => ({ role, key: generated[role] })), file, created: true };
}
