import type { EntityManager } from 'typeorm';
import { crmConnectionChangedTopic, type CrmConnectionChanged } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import type { CredentialCipher, ServiceRuntime } from '@telltale/runtime';

export type ConnectionState = CrmConnectionChanged['state'];
export type ConnectionFlow = CrmConnectionChanged['flow'];

export interface SalesforceConnectionRow {
  org_id: string;
  state: ConnectionState;
  flow: ConnectionFlow;
  login_url: string;
  instance_url: string | null;
  salesforce_org_id: string | null;
  salesforce_user_id: string | null;
  salesforce_username: string | null;
  consumer_key: string | null;
  secret_key_id: string | null;
  secret_ciphertext: string | null;
  last_error: string | null;
  last_error_code: string | null;
  state_since: Date;
  connected_by: string;
  connected_at: Date;
  generation: number;
  preflight: unknown;
  preflight_at: Date | null;
}

export interface NewConnection {
  orgId: string;
  flow: ConnectionFlow;
  loginUrl: string;
  instanceUrl: string;
  salesforceOrgId: string;
  salesforceUserId: string;
  salesforceUsername: string | null;
  consumerKey: string | null;
  /** The refresh token (web-server flow) or the PEM private key (JWT bearer flow). */
  secret: string;
  connectedBy: string;
}

const COLUMNS = `org_id, state, flow, login_url, instance_url, salesforce_org_id, salesforce_user_id, salesforce_username, consumer_key,
  secret_key_id, secret_ciphertext, last_error, last_error_code, state_since, connected_by, connected_at, generation, preflight, preflight_at`;

/** Binds a ciphertext to its organisation: copied onto another organisation's row it does not decrypt. */
const secretContext = (orgId: string) => `salesforce-connection:${orgId}`;

/**
 * Each organisation's Salesforce connection in `crm_writer.salesforce_connection`. Every change of
 * state is published as `crm.connection-changed.v1` through the outbox, in the same transaction.
 */
export class SalesforceConnectionStore {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly cipher: CredentialCipher | null,
    private readonly clock: Clock,
  ) {}

  get encryptionConfigured(): boolean {
    return this.cipher !== null;
  }

  async get(orgId: string): Promise<SalesforceConnectionRow | null> {
    const [row] = (await this.runtime.dataSource.query(`SELECT ${COLUMNS} FROM crm_writer.salesforce_connection WHERE org_id = $1`, [orgId])) as SalesforceConnectionRow[];
    return row ?? null;
  }

  /** The stored refresh token or private key, decrypted. */
  secretOf(row: SalesforceConnectionRow): string {
    if (!this.cipher) throw new Error('CREDENTIALS_ENCRYPTION_KEYS is not set');
    if (!row.secret_key_id || !row.secret_ciphertext) throw new Error('the connection holds no credentials');
    return this.cipher.decrypt(row.secret_key_id, row.secret_ciphertext, secretContext(row.org_id));
  }

  /** Connects (or reconnects) the organisation: new credentials, a new generation, state `connected`. */
  async saveConnected(connection: NewConnection): Promise<SalesforceConnectionRow> {
    if (!this.cipher) throw new Error('CREDENTIALS_ENCRYPTION_KEYS is not set');
    const sealed = this.cipher.encrypt(connection.secret, secretContext(connection.orgId));
    const now = this.clock.now();
    return this.runtime.dataSource.transaction(async (m) => {
      const previous = await this.lock(m, connection.orgId);
      const [row] = (await m.query(
        `INSERT INTO crm_writer.salesforce_connection (org_id, state, flow, login_url, instance_url, salesforce_org_id, salesforce_user_id, salesforce_username,
           consumer_key, secret_key_id, secret_ciphertext, last_error, last_error_code, state_since, connected_by, connected_at, generation)
         VALUES ($1, 'connected', $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, $11, $12, $11, 1)
         ON CONFLICT (org_id) DO UPDATE SET state = 'connected', flow = $2, login_url = $3, instance_url = $4, salesforce_org_id = $5, salesforce_user_id = $6,
           salesforce_username = $7, consumer_key = $8, secret_key_id = $9, secret_ciphertext = $10, last_error = NULL, last_error_code = NULL,
           state_since = $11, connected_by = $12, connected_at = $11, generation = crm_writer.salesforce_connection.generation + 1,
           preflight = NULL, preflight_at = NULL
         RETURNING ${COLUMNS}`,
        [
          connection.orgId,
          connection.flow,
          connection.loginUrl,
          connection.instanceUrl,
          connection.salesforceOrgId,
          connection.salesforceUserId,
          connection.salesforceUsername,
          connection.consumerKey,
          sealed.keyId,
          sealed.ciphertext,
          now,
          connection.connectedBy,
        ],
      )) as SalesforceConnectionRow[];
      await this.announce(m, previous?.state ?? null, row!, null, null);
      return row!;
    });
  }

  /**
   * Salesforce refused this generation's grant. Only a connection still `connected` on that
   * generation moves (a reconnect in between is left alone); true when this call moved it.
   */
  async markNeedsReconnect(orgId: string, generation: number, reason: string, errorCode: string): Promise<boolean> {
    return this.runtime.dataSource.transaction(async (m) => {
      const previous = await this.lock(m, orgId);
      if (!previous || previous.state !== 'connected' || previous.generation !== generation) return false;
      const row = returnedRow(await m.query(
        `UPDATE crm_writer.salesforce_connection SET state = 'needs_reconnect', last_error = $2, last_error_code = $3, state_since = $4
         WHERE org_id = $1 RETURNING ${COLUMNS}`,
        [orgId, reason, errorCode, this.clock.now()],
      ));
      await this.announce(m, previous.state, row, reason, errorCode);
      return true;
    });
  }

  /** Forgets the credentials; the row stays as `disconnected` (who, when) for the status. */
  async disconnect(orgId: string): Promise<SalesforceConnectionRow | null> {
    return this.runtime.dataSource.transaction(async (m) => {
      const previous = await this.lock(m, orgId);
      if (!previous || previous.state === 'disconnected') return previous;
      const row = returnedRow(await m.query(
        `UPDATE crm_writer.salesforce_connection SET state = 'disconnected', secret_key_id = NULL, secret_ciphertext = NULL, consumer_key = NULL,
           last_error = NULL, last_error_code = NULL, state_since = $2, generation = generation + 1
         WHERE org_id = $1 RETURNING ${COLUMNS}`,
        [orgId, this.clock.now()],
      ));
      await this.announce(m, previous.state, row, 'An admin disconnected Salesforce.', null);
      return row;
    });
  }

  async savePreflight(orgId: string, generation: number, report: unknown): Promise<void> {
    await this.runtime.dataSource.query(
      `UPDATE crm_writer.salesforce_connection SET preflight = $3, preflight_at = $4 WHERE org_id = $1 AND generation = $2`,
      [orgId, generation, JSON.stringify(report), this.clock.now()],
    );
  }

  private async lock(m: EntityManager, orgId: string): Promise<SalesforceConnectionRow | null> {
    const [row] = (await m.query(`SELECT ${COLUMNS} FROM crm_writer.salesforce_connection WHERE org_id = $1 FOR UPDATE`, [orgId])) as SalesforceConnectionRow[];
    return row ?? null;
  }

  private async announce(m: EntityManager, previousState: ConnectionState | null, row: SalesforceConnectionRow, reason: string | null, errorCode: string | null): Promise<void> {
    const changedAt = new Date(row.state_since);
    await this.runtime.outbox.enqueue(
      m,
      crmConnectionChangedTopic,
      {
        orgId: row.org_id,
        crm: 'salesforce',
        flow: row.flow,
        previousState,
        state: row.state,
        salesforceOrgId: row.salesforce_org_id,
        instanceUrl: row.instance_url,
        reason: reason?.slice(0, 2000) ?? null,
        errorCode,
        changedAt: changedAt.toISOString(),
      },
      { orgId: row.org_id, occurredAt: changedAt },
    );
  }
}

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, affected count]. */
function returnedRow(result: unknown): SalesforceConnectionRow {
  const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as SalesforceConnectionRow[];
  const [row] = rows;
  if (!row) throw new Error('the Salesforce connection row vanished while it was locked');
  return row;
}
