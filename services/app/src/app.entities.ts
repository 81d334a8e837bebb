import { ApiKey } from './api-keys/api-key.entity';
import { feedEntities } from './feed/feed.entities';
import { AppInitial1765300000000 } from './migrations/1765300000000-app-initial';
import { Feed1765400000000 } from './migrations/1765400000000-feed';
import { FeedResumed1766200000000 } from './migrations/1766200000000-feed-resumed';
import { OrganizationPlan1767100000000 } from './migrations/1767100000000-organization-plan';
import { IdentityProvider, Organization } from './organizations/organization.entity';
import { Session, SignInAttempt } from './sessions/session.entity';
import { User } from './users/user.entity';

export const APP_SCHEMA = 'app';
export const appEntities = [Organization, IdentityProvider, User, Session, SignInAttempt, ApiKey, ...feedEntities];
export const appMigrations = [AppInitial1765300000000, Feed1765400000000, FeedResumed1766200000000, OrganizationPlan1767100000000];
