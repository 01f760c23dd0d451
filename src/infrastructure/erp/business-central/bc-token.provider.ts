import { ErpGatewayError } from '../../../application/ports/erp-gateway.port';

/** OAuth2 client-credentials settings (Microsoft Entra ID for Business Central online). */
export interface BcTokenOptions {
  /** `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token` by default. */
  tokenUrl: string;
  clientId: string;
  /** Never logged. */
  clientSecret: string;
  /** `https://api.businesscentral.dynamics.com/.default` by default. */
  scope: string;
  timeoutMs: number;
  /** Wall clock in ms; injectable for tests. */
  now?: () => number;
}

/** Renew this long before the token expires. */
const EARLY_MS = 60_000;

/**
 * Bearer tokens for the Business Central API by the OAuth2 client-credentials grant (service-to-service):
 * `POST tokenUrl` with `grant_type=client_credentials`, `client_id`, `client_secret`, `scope`
 * (form-encoded) → `{access_token, expires_in}`. The token is kept until a minute before it expires,
 * or until the API refuses it (401), whichever comes first; concurrent callers share one request.
 */
export class BcTokenProvider {
  private cached: { token: string; until: number } | undefined;
  private inflight: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: BcTokenOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * A valid access token; `refresh` forces a new one (after a 401).
   * @throws ErpGatewayError `token_rejected` (4xx, not retriable: check the credentials), `token_unavailable`/`timeout` (retriable).
   */
  async token(refresh = false, signal?: AbortSignal): Promise<string> {
    if (!refresh && this.cached && this.cached.until > this.now()) return this.cached.token;
    this.inflight ??= this.fetchToken(signal).finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.options.clientId, client_secret: this.options.clientSecret, scope: this.options.scope });
    let res: Response;
    try {
      res = await fetch(this.options.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body,
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
    } catch (err) {
      throw new ErpGatewayError(0, timeout.aborted ? 'timeout' : 'network_error', `token request: ${timeout.aborted ? `timed out after ${this.options.timeoutMs} ms` : err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      let code = `http_${res.status}`;
      try {
        const e = JSON.parse(text) as { error?: unknown };
        if (typeof e.error === 'string') code = e.error;
      } catch {
        // keep the status code
      }
      const retriable = res.status >= 500 || res.status === 429 || res.status === 408;
      throw new ErpGatewayError(res.status, retriable ? 'token_unavailable' : 'token_rejected', `token request: HTTP ${res.status} ${code}`, retriable);
    }
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = {};
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') throw new ErpGatewayError(502, 'token_unavailable', 'token request: the answer holds no access_token');
    const seconds = typeof parsed.expires_in === 'number' ? parsed.expires_in : typeof parsed.expires_in === 'string' ? Number(parsed.expires_in) : 3600;
    this.cached = { token: parsed.access_token, until: this.now() + Math.max(0, seconds * 1000 - EARLY_MS) };
    return parsed.access_token;
  }
}
