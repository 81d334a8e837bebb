import type { Type } from '@nestjs/common';
import { z } from 'zod';
import { HealthController } from '@telltale/runtime';
import { ApiKeysController, MeController, OrganizationController, SessionsController, UsersController } from '@telltale/app/dist/src/users/account.controllers';
import { FeedController } from '@telltale/app/dist/src/feed/feed.controller';
import { FeedHistoryQuery, FeedStreamQuery } from '@telltale/app/dist/src/feed/feed-query';
import { CreateApiKeyRequest } from '@telltale/app/dist/src/api-keys/api-keys.service';
import { GatewayController, JwksController } from '@telltale/app/dist/src/gateway/gateway.controller';
import { OpenApiController } from '@telltale/app/dist/src/openapi/openapi.controller';
import { IdentityProviderRequest, UpdateOrganizationRequest } from '@telltale/app/dist/src/organizations/organizations.service';
import { SignInController, SignInQuery } from '@telltale/app/dist/src/sign-in/sign-in.controller';
import { InviteRequest, UpdateUserRequest } from '@telltale/app/dist/src/users/users.service';
import { ActivityExplanationController, ActivityExplanationQuery } from '@telltale/crm-writer/dist/src/activities/activity-explanation.controller';
import { crmSettingsInput } from '@telltale/crm-writer/dist/src/activities/crm-settings';
import { SalesforceConnectionController } from '@telltale/crm-writer/dist/src/connections/salesforce-connection.controller';
import { JwtConnectRequest, OAuthCallbackQuery as SalesforceCallbackQuery, StartConnectRequest as StartSalesforceConnectRequest } from '@telltale/crm-writer/dist/src/connections/salesforce-connect.service';
import { GmailController } from '@telltale/mailbox-sync/dist/src/gmail/gmail.controller';
import { GoogleCallbackQuery, StartGoogleAuthorizationRequest } from '@telltale/mailbox-sync/dist/src/gmail/gmail-connections.service';
import { CallbackQuery as MicrosoftCallbackQuery, GraphController, StartRequest as StartMicrosoftAuthorizationRequest } from '@telltale/mailbox-sync/dist/src/graph/graph.controller';
import { InternalMailboxController } from '@telltale/mailbox-sync/dist/src/internal/internal.controller';
import { MailboxesController } from '@telltale/mailbox-sync/dist/src/mailboxes/mailboxes.controller';
import { ConnectImapMailboxRequest, ReconnectImapMailboxRequest, UpdateMailboxRequest } from '@telltale/mailbox-sync/dist/src/mailboxes/mailboxes.service';
import { VerdictsController } from '@telltale/reply-detector/dist/src/detection/verdicts.controller';
import { EmailsController, OneOffEmailRequest } from '@telltale/sender/dist/src/sending/emails.controller';
import { ListEmailsQuery } from '@telltale/sender/dist/src/sending/sent-email.queries';
import { BatchEnrollRequest } from '@telltale/sequencer/dist/src/enrollments/enrollment-batch';
import { ListEnrollmentsQuery } from '@telltale/sequencer/dist/src/enrollments/enrollment-list';
import { EnrollmentsController, PauseRequest } from '@telltale/sequencer/dist/src/enrollments/enrollments.controller';
import { PreviewStepQuery } from '@telltale/sequencer/dist/src/enrollments/step-preview';
import { EnrollRequest } from '@telltale/sequencer/dist/src/enrollments/enrollments.service';
import { InternalController as SequencerInternalController } from '@telltale/sequencer/dist/src/internal/internal.controller';
import { SequencesController } from '@telltale/sequencer/dist/src/sequences/sequences.controller';
import { ListSequencesParams } from '@telltale/sequencer/dist/src/sequences/sequence-list';
import { CreateSequenceRequest, UpdateSequenceRequest } from '@telltale/sequencer/dist/src/sequences/sequences.service';
import { VariantResultsQuery } from '@telltale/sequencer/dist/src/sequences/step-variants';
import { AddSuppressionRequest, LiftSuppressionRequest, ListSuppressionsQuery } from '@telltale/sequencer/dist/src/suppression/suppression-list';
import { SuppressionsController } from '@telltale/sequencer/dist/src/suppression/suppressions.controller';
import { MailboxCapRequest, MailboxCapsController } from '@telltale/sequencer/dist/src/scheduling/mailbox-caps';
import { DevicesController, OfficeRangesRequest, RegistrationRequest } from '@telltale/tracker/dist/src/devices/devices.controller';
import { EngagementSummaryController, ManyEngagementQuery } from '@telltale/tracker/dist/src/hits/engagement-summary.controller';
import { TrackingController } from '@telltale/tracker/dist/src/hits/tracking.controller';
import { UnsubscribeController } from '@telltale/tracker/dist/src/unsubscribe/unsubscribe.controller';
import { ListDocumentsQuery, UploadQuery } from '@telltale/content/dist/src/documents/document-library';
import { DocumentsController } from '@telltale/content/dist/src/documents/documents.controller';
import { InternalDocumentsController, InternalPlansController } from '@telltale/content/dist/src/documents/internal-documents.controller';

/** The app and the services its gateway forwards `/api/v1/…` to (the crm-writer for everything under /v1/salesforce). */
export type ApiService = 'app' | 'sequencer' | 'sender' | 'tracker' | 'mailbox-sync' | 'reply-detector' | 'crm-writer' | 'content';

/**
 * Every HTTP controller of each service's module (HealthController comes with the runtime). The
 * document keeps the routes users call (members' routes, sign-in); the OpenAPI fuzz test checks
 * this list against the route table of each started service, so a controller missing here fails it.
 */
export const SERVICE_CONTROLLERS: Record<ApiService, readonly Type[]> = {
  app: [SignInController, MeController, UsersController, SessionsController, ApiKeysController, OrganizationController, FeedController, JwksController, OpenApiController, GatewayController, HealthController],
  sequencer: [SequencesController, EnrollmentsController, SuppressionsController, MailboxCapsController, SequencerInternalController, HealthController],
  sender: [EmailsController, HealthController],
  tracker: [TrackingController, UnsubscribeController, DevicesController, EngagementSummaryController, HealthController],
  'mailbox-sync': [MailboxesController, InternalMailboxController, GmailController, GraphController, HealthController],
  'reply-detector': [VerdictsController, HealthController],
  'crm-writer': [SalesforceConnectionController, ActivityExplanationController, HealthController],
  content: [DocumentsController, InternalDocumentsController, InternalPlansController, HealthController],
};

/** What the controllers read through `parseRequest` (or parse themselves), by public route. */
export interface RouteInput {
  /** The JSON body's schema; null: the route reads no body. */
  body?: z.ZodType | null;
  /** The query string's schema (each property a parameter). */
  query?: z.ZodObject | z.ZodUnion<readonly z.ZodObject[]>;
  /** A browser page (sign-in): answers HTML and redirects, not JSON. */
  browser?: true;
  /** Answers Server-Sent Events (text/event-stream) on a connection that stays open. */
  eventStream?: true;
  /** The body is a file, read as bytes (not JSON): the media types it may be sent as. */
  rawBody?: { mediaTypes: readonly string[]; description: string };
}

/** A document upload's body: the file itself, its type read from its bytes (docs/content.md). */
const DOCUMENT_FILE: NonNullable<RouteInput['rawBody']> = {
  description: 'The file itself (PDF, Word .doc/.docx or PowerPoint .ppt/.pptx), up to CONTENT_MAX_UPLOAD_BYTES (50 MB by default). Its type is read from its bytes, not from Content-Type or the name; anything else is a 415 unsupported_file_type.',
  mediaTypes: [
    'application/pdf',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-powerpoint',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/octet-stream',
  ],
};

/**
 * The OAuth 2.0 authorization response the identity provider sends the browser back with (RFC 6749
 * §4.1.2; `iss` from RFC 9207); the callback hands the whole URL to openid-client, which checks it.
 */
const SignInCallbackQuery = z.object({
  code: z.string().max(4000).optional(),
  state: z.string().max(200).optional(),
  iss: z.url().max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

/**
 * Request schemas of the public routes, keyed `METHOD /public/path` (the path as users call it). The
 * document generator refuses a route that reads a body or its query without an entry here, and an
 * entry that matches no route.
 */
export const ROUTE_INPUTS: Record<string, RouteInput> = {
  'GET /auth/sign-in': { query: SignInQuery, browser: true },
  'GET /auth/callback': { query: SignInCallbackQuery, browser: true },
  'POST /auth/sign-out': { body: null },
  'POST /api/v1/users/invitations': { body: InviteRequest },
  'PATCH /api/v1/users/{id}': { body: UpdateUserRequest },
  'GET /api/v1/feed': { query: FeedHistoryQuery },
  'GET /api/v1/feed/stream': { query: FeedStreamQuery, eventStream: true },
  'POST /api/v1/api-keys': { body: CreateApiKeyRequest },
  'PATCH /api/v1/organization': { body: UpdateOrganizationRequest },
  'PUT /api/v1/organization/identity-provider': { body: IdentityProviderRequest },
  'GET /api/v1/sequences': { query: ListSequencesParams },
  'POST /api/v1/sequences': { body: CreateSequenceRequest },
  'PATCH /api/v1/sequences/{id}': { body: UpdateSequenceRequest },
  'GET /api/v1/sequences/{id}/variants': { query: VariantResultsQuery },
  'POST /api/v1/sequences/{id}/enrollments': { body: EnrollRequest },
  'POST /api/v1/sequences/{id}/enrollments/batch': { body: BatchEnrollRequest },
  'GET /api/v1/enrollments': { query: ListEnrollmentsQuery },
  'POST /api/v1/enrollments/{id}/stop': { body: null },
  'POST /api/v1/enrollments/{id}/pause': { body: PauseRequest },
  'POST /api/v1/enrollments/{id}/resume': { body: null },
  'GET /api/v1/enrollments/{id}/preview': { query: PreviewStepQuery },
  'GET /api/v1/suppressions': { query: ListSuppressionsQuery },
  'POST /api/v1/suppressions': { body: AddSuppressionRequest },
  'POST /api/v1/suppressions/{id}/lift': { body: LiftSuppressionRequest },
  'PUT /api/v1/mailbox-caps/{mailboxId}': { body: MailboxCapRequest },
  'GET /api/v1/emails': { query: ListEmailsQuery },
  'GET /api/v1/documents': { query: ListDocumentsQuery },
  'POST /api/v1/documents': { query: UploadQuery, rawBody: DOCUMENT_FILE },
  'POST /api/v1/documents/{id}/versions': { query: UploadQuery, rawBody: DOCUMENT_FILE },
  'POST /api/v1/emails': { body: OneOffEmailRequest },
  'GET /api/v1/emails/engagement': { query: ManyEngagementQuery },
  'POST /api/v1/device-registrations': { body: RegistrationRequest },
  'PUT /api/v1/office-ranges': { body: OfficeRangesRequest },
  'POST /api/v1/mailboxes': { body: ConnectImapMailboxRequest },
  'POST /api/v1/mailboxes/{id}/reconnect': { body: ReconnectImapMailboxRequest },
  'PATCH /api/v1/mailboxes/{id}': { body: UpdateMailboxRequest },
  'POST /api/v1/mailboxes/oauth/google': { body: StartGoogleAuthorizationRequest },
  'GET /api/v1/mailboxes/oauth/google/callback': { query: GoogleCallbackQuery as RouteInput['query'] },
  'POST /api/v1/mailboxes/oauth/microsoft': { body: StartMicrosoftAuthorizationRequest },
  'GET /api/v1/mailboxes/oauth/microsoft/callback': { query: MicrosoftCallbackQuery },
  'POST /api/v1/salesforce/connection/oauth': { body: StartSalesforceConnectRequest },
  'GET /api/v1/salesforce/connection/oauth/callback': { query: SalesforceCallbackQuery as RouteInput['query'] },
  'POST /api/v1/salesforce/connection/jwt': { body: JwtConnectRequest },
  'POST /api/v1/salesforce/connection/preflight': { body: null },
  'GET /api/v1/salesforce/activities': { query: ActivityExplanationQuery },
  'POST /api/v1/salesforce/activities/rematch': { body: null },
  'POST /api/v1/salesforce/activities/replay': { body: null },
  'PATCH /api/v1/salesforce/settings': { body: crmSettingsInput },
};
