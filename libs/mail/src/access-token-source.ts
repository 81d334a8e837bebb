/** An OAuth access token and when it stops working. */
export interface AccessToken {
  accessToken: string;
  expiresAt: Date;
}

/** Gives a valid bearer token for one mailbox; adapters call it before every provider request. */
export interface AccessTokenSource {
  accessToken(): Promise<string>;
}

export interface RefreshingAccessTokenSourceOptions {
  /** Exchanges the stored refresh token for a new access token; throws MailProviderError (AUTH_REVOKED when the grant is gone). */
  refresh: () => Promise<AccessToken>;
  now: () => Date;
  /** Refresh this long before expiry, so a request never leaves with a token about to die. */
  skewMs?: number;
  initial?: AccessToken;
}

/**
 * Refreshes just before use and never twice at once: concurrent callers share one in-flight refresh
 * (Google and Microsoft may rotate refresh tokens, so parallel refreshes can invalidate each other).
 */
export class RefreshingAccessTokenSource implements AccessTokenSource {
  private current: AccessToken | undefined;
  private inFlight: Promise<AccessToken> | undefined;
  private readonly skewMs: number;

  constructor(private readonly options: RefreshingAccessTokenSourceOptions) {
    this.current = options.initial;
    this.skewMs = options.skewMs ?? 60_000;
  }

  async accessToken(): Promise<string> {
    const current = this.current;
    if (current && current.expiresAt.getTime() - this.skewMs > this.options.now().getTime()) return current.accessToken;
    return (await this.refreshOnce()).accessToken;
  }

  /** When the cached token stops working, if one is cached. */
  get expiresAt(): Date | undefined {
    return this.current?.expiresAt;
  }

  /** Forget the cached token (after a 401 on a token we believed valid). */
  invalidate(): void {
    this.current = undefined;
  }

  private refreshOnce(): Promise<AccessToken> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.options.refresh().then(
      (token) => {
        this.current = token;
        this.inFlight = undefined;
        return token;
      },
      (err: unknown) => {
        this.inFlight = undefined;
        throw err;
      },
    );
    return this.inFlight;
  }
}
