import { ApiKey } from './api-keys/api-key.entity';
import { AppInitial1765300000000 } from './migrations/1765300000000-app-initial';
import { IdentityProvider, Organization } from './organizations/organization.entity';
import { Session, SignInAttempt } from './sessions/session.entity';
import { User } from './users/user.entity';

export const APP_SCHEMA = 'app';
export const appEntities = [Organization, IdentityProvider, User, Session, SignInAttempt, ApiKey];
export const appMigrations = [AppInitial1765300000000];
