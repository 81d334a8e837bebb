/**
 * The part of oidc-provider 9's API this library uses. oidc-provider ships no types (the
 * DefinitelyTyped package is not a dependency); these declarations follow its documentation and
 * stay internal: nothing exported from this library mentions them.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type CanBePromise<T> = T | Promise<T>;

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    redirect_uris: string[];
    post_logout_redirect_uris?: string[];
    token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post' | 'none';
    grant_types: string[];
    response_types: string[];
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): CanBePromise<{ sub: string; [claim: string]: unknown }>;
  }

  export interface Grant {
    readonly jti?: string;
    addOIDCScope(scope: string): void;
    getOIDCScopeEncountered(): string;
    save(): Promise<string>;
  }

  export interface Client {
    readonly clientId: string;
    readonly redirectUris: string[];
  }

  export interface KoaContextWithOIDC {
    readonly path: string;
    readonly oidc: {
      readonly client: Client;
      readonly session: { readonly accountId?: string; grantIdFor(clientId: string): string | undefined };
      readonly result?: { consent?: { grantId?: string } };
      readonly requestParamOIDCScopes: Set<string>;
      readonly provider: Provider;
    };
    status: number;
    type: string;
    body: unknown;
    set(field: string, value: string): void;
    get host(): string;
  }

  export interface ErrorOut {
    error: string;
    error_description?: string;
  }

  export interface InteractionDetails {
    readonly uid: string;
    readonly prompt: { name: string; reasons: string[] };
    readonly params: { client_id?: string; login_hint?: string; [param: string]: unknown };
  }

  export interface InteractionResults {
    login?: { accountId: string; amr?: string[]; remember?: boolean };
    error?: string;
    error_description?: string;
  }

  type TTL = number | ((...args: never[]) => number);

  export interface Configuration {
    adapter: (modelName: string) => Adapter;
    clients: ClientMetadata[];
    clientAuthMethods: string[];
    claims: Record<string, string[] | null>;
    scopes: string[];
    responseTypes: string[];
    conformIdTokenClaims: boolean;
    pkce: { required: (ctx: KoaContextWithOIDC, client: Client) => boolean };
    jwks: { keys: object[] };
    cookies: {
      keys: string[];
      long: { httpOnly: boolean; sameSite: 'lax' | 'strict'; signed: boolean };
      short: { httpOnly: boolean; sameSite: 'lax' | 'strict'; signed: boolean };
    };
    ttl: Record<'AccessToken' | 'AuthorizationCode' | 'IdToken' | 'Interaction' | 'Session' | 'Grant', TTL>;
    features: {
      devInteractions: { enabled: boolean };
      rpInitiatedLogout: {
        enabled: boolean;
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => CanBePromise<void>;
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => CanBePromise<void>;
      };
    };
    interactions: { url: (ctx: KoaContextWithOIDC, interaction: { uid: string }) => CanBePromise<string> };
    findAccount: (ctx: KoaContextWithOIDC, sub: string) => CanBePromise<Account | undefined>;
    loadExistingGrant: (ctx: KoaContextWithOIDC) => Promise<Grant | undefined>;
    clientBasedCORS: (ctx: KoaContextWithOIDC, origin: string, client: Client) => boolean;
    renderError: (ctx: KoaContextWithOIDC, out: ErrorOut, error: Error) => CanBePromise<void>;
  }

  /** Stored state of one model instance (session, interaction, code, token, grant...). */
  export interface AdapterPayload {
    uid?: string;
    grantId?: string;
    userCode?: string;
    consumed?: number;
    [key: string]: unknown;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Partial<Configuration>);
    readonly issuer: string;
    readonly Client: { find(id: string): Promise<Client | undefined> };
    readonly Grant: {
      new (properties: { accountId: string; clientId: string }): Grant;
      find(id: string): Promise<Grant | undefined>;
    };
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this;
    on(event: 'server_error', listener: (ctx: KoaContextWithOIDC, error: Error) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }

  export const errors: {
    SessionNotFound: new (description?: string) => Error;
    OIDCProviderError: new (status: number, message: string) => Error & { status: number; error_description?: string };
  };
}
