import { Module, type DynamicModule } from '@nestjs/common';
import { CredentialCipher, IdentityTokenIssuer, RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import { ApiKeysService } from './api-keys/api-keys.service';
import type { AppConfig } from './app.config';
import { FeedConsumer } from './feed/feed.consumer';
import { FeedController } from './feed/feed.controller';
import { FEED_HUB_SETTINGS, FeedHub } from './feed/feed-hub';
import { FeedStore } from './feed/feed.store';
import { GatewayController, JwksController, UPSTREAM_URLS, type UpstreamUrls } from './gateway/gateway.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { APP_CIPHER, OrganizationsService } from './organizations/organizations.service';
import { PLAN_SYNC_SETTINGS, PlanSync } from './organizations/plan-sync';
import { AppAuthenticator, AuthenticatorSlot } from './sessions/app-authenticator';
import { SESSION_POLICY, SessionsService } from './sessions/sessions.service';
import { OidcClients } from './sign-in/oidc-clients';
import { SignInController } from './sign-in/sign-in.controller';
import { APP_ORIGIN, SignInService } from './sign-in/sign-in.service';
import { ApiKeysController, MeController, OrganizationController, SessionsController, UsersController } from './users/account.controllers';
import { UsersService } from './users/users.service';

@Module({})
export class AppModule {
  static forRuntime(runtime: ServiceRuntime, config: AppConfig, parts: { issuer: IdentityTokenIssuer; slot: AuthenticatorSlot }): DynamicModule {
    const upstreams: UpstreamUrls = {
      sequencer: config.SEQUENCER_URL.replace(/\/$/, ''),
      sender: config.SENDER_URL.replace(/\/$/, ''),
      tracker: config.TRACKER_URL.replace(/\/$/, ''),
      'mailbox-sync': config.MAILBOX_SYNC_URL.replace(/\/$/, ''),
      'reply-detector': config.REPLY_DETECTOR_URL.replace(/\/$/, ''),
      // Unset: an empty base URL, so the gateway answers 503 upstream_unavailable.
      'crm-writer': config.CRM_WRITER_URL?.replace(/\/$/, '') ?? '',
      content: config.CONTENT_URL?.replace(/\/$/, '') ?? '',
    };
    return {
      module: AppModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      // The gateway last: its catch-all must not shadow the app's own /api/v1 routes.
      controllers: [SignInController, MeController, UsersController, SessionsController, ApiKeysController, OrganizationController, FeedController, FeedConsumer, JwksController, OpenApiController, GatewayController],
      providers: [
        { provide: APP_ORIGIN, useValue: config.APP_PUBLIC_URL },
        { provide: SESSION_POLICY, useValue: { idleMs: config.APP_SESSION_IDLE_MINUTES * 60_000, absoluteMs: config.APP_SESSION_ABSOLUTE_HOURS * 3_600_000 } },
        { provide: APP_CIPHER, useValue: new CredentialCipher(config.APP_ENCRYPTION_KEYS, 'APP_ENCRYPTION_KEYS') },
        { provide: UPSTREAM_URLS, useValue: upstreams },
        { provide: IdentityTokenIssuer, useValue: parts.issuer },
        { provide: AuthenticatorSlot, useValue: parts.slot },
        { provide: OidcClients, useValue: new OidcClients(config.OIDC_ALLOW_HTTP_ISSUERS) },
        {
          provide: PLAN_SYNC_SETTINGS,
          useValue: { defaultPlan: config.APP_DEFAULT_PLAN, contentUrl: upstreams.content, credential: config.SERVICE_CREDENTIAL ?? null, retryMs: config.APP_PLAN_SYNC_MS },
        },
        PlanSync,
        OrganizationsService,
        UsersService,
        SessionsService,
        ApiKeysService,
        SignInService,
        AppAuthenticator,
        { provide: FEED_HUB_SETTINGS, useValue: { pollMs: 1_000, heartbeatMs: 15_000, coalesceMs: 25 } },
        FeedStore,
        FeedHub,
      ],
    };
  }
}
