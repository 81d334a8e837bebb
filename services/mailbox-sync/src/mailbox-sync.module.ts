import { Module, type DynamicModule } from '@nestjs/common';
import { CredentialCipher, RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import { GoogleOAuth, MicrosoftOAuth } from '@telltale/mail';
import { OAuthAccessTokens } from './oauth/oauth-access-tokens';
import { PendingAuthorizations } from './oauth/pending-authorizations';
import { GmailConnectionsService } from './gmail/gmail-connections.service';
import { GmailController } from './gmail/gmail.controller';
import { GmailFollowers } from './gmail/gmail-followers';
import { ProviderFollowerFactory } from './sync/provider-follower.factory';
import { GMAIL_SETTINGS, GOOGLE_OAUTH, type GmailSettings } from './gmail/gmail-settings';
import { PubSubPushVerifier } from './gmail/pubsub-push-verifier';
import { GraphConnectionsService } from './graph/graph-connections.service';
import { GraphController } from './graph/graph.controller';
import { GraphFollowers } from './graph/graph-followers';
import { GRAPH_SETTINGS, MICROSOFT_OAUTH, type GraphSettings } from './graph/graph-settings';
import { InternalMailboxController } from './internal/internal.controller';
import type { MailboxSyncConfig } from './mailbox-sync.config';
import { MailboxesController } from './mailboxes/mailboxes.controller';
import { MailboxesService } from './mailboxes/mailboxes.service';
import { MailboxDisconnections } from './mailboxes/mailbox-disconnections.service';
import { CONNECT_TIMEOUT_MS, ImapConnectionCheck } from './mailboxes/imap-connection-check';
import { MailboxFolders } from './mailboxes/mailbox-folders';
import { MailHostPolicy } from './mailboxes/mailbox-host-policy';
import { FOLDER_POLL_MS, MailboxFollowers } from './sync/mailbox-followers';
import { INBOUND_LIMITS, type InboundLimits } from './sync/inbound-limits';
import { RecordInboundMessageUseCase } from './sync/record-inbound-message.use-case';

@Module({})
export class MailboxSyncModule {
  static forRuntime(runtime: ServiceRuntime, config: MailboxSyncConfig): DynamicModule {
    const gmailSettings: GmailSettings = { apiRootUrl: config.GMAIL_API_ROOT_URL, pollMs: config.GMAIL_POLL_MS, pubsubTopic: config.GMAIL_PUBSUB_TOPIC };
    const pushVerifier = new PubSubPushVerifier({
      ...(config.GMAIL_PUSH_TOKEN ? { token: config.GMAIL_PUSH_TOKEN } : {}),
      ...(config.GMAIL_PUSH_AUDIENCE && config.GMAIL_PUSH_SERVICE_ACCOUNT ? { oidc: { audience: config.GMAIL_PUSH_AUDIENCE, serviceAccountEmail: config.GMAIL_PUSH_SERVICE_ACCOUNT } } : {}),
    });
    const googleOAuth =
      config.GOOGLE_CLIENT_ID && config.GOOGLE_CLIENT_SECRET && config.GOOGLE_REDIRECT_URI
        ? new GoogleOAuth({
            clientId: config.GOOGLE_CLIENT_ID,
            clientSecret: config.GOOGLE_CLIENT_SECRET,
            redirectUri: config.GOOGLE_REDIRECT_URI,
            ...(config.GOOGLE_OAUTH_AUTH_URL ? { authBaseUrl: config.GOOGLE_OAUTH_AUTH_URL } : {}),
            ...(config.GOOGLE_OAUTH_TOKEN_URL ? { tokenUrl: config.GOOGLE_OAUTH_TOKEN_URL } : {}),
            ...(config.GOOGLE_OAUTH_REVOKE_URL ? { revokeUrl: config.GOOGLE_OAUTH_REVOKE_URL } : {}),
            now: () => runtime.clock.now(),
          })
        : null;
    const graphSettings: GraphSettings = { origin: config.GRAPH_ORIGIN.replace(/\/$/, ''), caPem: config.GRAPH_CA_PEM ?? null, pollMs: config.GRAPH_POLL_MS, notificationUrl: config.GRAPH_NOTIFICATION_URL };
    const microsoftOAuth =
      config.MS_CLIENT_ID && config.MS_CLIENT_SECRET && config.MS_REDIRECT_URI
        ? new MicrosoftOAuth({
            clientId: config.MS_CLIENT_ID,
            clientSecret: config.MS_CLIENT_SECRET,
            redirectUri: config.MS_REDIRECT_URI,
            authority: config.MS_AUTHORITY,
            ...(config.GRAPH_CA_PEM ? { ca: config.GRAPH_CA_PEM } : {}),
            now: () => runtime.clock.now(),
          })
        : null;
    return {
      module: MailboxSyncModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [MailboxesController, InternalMailboxController, GmailController, GraphController],
      providers: [
        { provide: CredentialCipher, useValue: new CredentialCipher(config.CREDENTIALS_ENCRYPTION_KEYS) },
        { provide: FOLDER_POLL_MS, useValue: config.MAILBOX_FOLDER_POLL_MS },
        {
          provide: INBOUND_LIMITS,
          useValue: { maxRawBytes: config.MAILBOX_MAX_MESSAGE_BYTES, maxParts: config.MAILBOX_MAX_MIME_PARTS, maxDepth: config.MAILBOX_MAX_MIME_DEPTH } satisfies InboundLimits,
        },
        MailboxesService,
        RecordInboundMessageUseCase,
        MailboxFollowers,
        { provide: GMAIL_SETTINGS, useValue: gmailSettings },
        { provide: GOOGLE_OAUTH, useValue: googleOAuth },
        { provide: PubSubPushVerifier, useValue: pushVerifier },
        OAuthAccessTokens,
        PendingAuthorizations,
        ProviderFollowerFactory,
        GmailFollowers,
        GmailConnectionsService,
        { provide: GRAPH_SETTINGS, useValue: graphSettings },
        { provide: MICROSOFT_OAUTH, useValue: microsoftOAuth },
        GraphFollowers,
        GraphConnectionsService,
        MailboxDisconnections,
        { provide: MailHostPolicy, useValue: new MailHostPolicy(config.MAILBOX_HOST_ALLOWLIST, config.MAILBOX_CONNECT_TIMEOUT_MS) },
        { provide: CONNECT_TIMEOUT_MS, useValue: config.MAILBOX_CONNECT_TIMEOUT_MS },
        ImapConnectionCheck,
        MailboxFolders,
      ],
    };
  }
}
