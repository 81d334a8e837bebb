import type { Connection } from 'jsforce';
import { ACTIVITY_KEY_FIELD, SalesforceActivityGateway, soqlStringLiteral } from '../../src/salesforce';

const ORG = '00000000-0000-4000-8000-000000000001';

/** Calls through crm-writer's gateway on whatever connection `connection` gives: a Contact lookup and a one-Task upsert. */
export function gatewayCalls(connection: () => Promise<Connection>) {
  const gateway = new SalesforceActivityGateway();
  return {
    async findWho(email: string): Promise<string | null> {
      const rows = await gateway.query(ORG, await connection(), `SELECT Id FROM Contact WHERE Email = ${soqlStringLiteral(email)}`);
      return rows[0] ? String(rows[0].Id) : null;
    },
    async upsertTask(activityKey: string) {
      return gateway.upsert(ORG, await connection(), 'Task', ACTIVITY_KEY_FIELD, [{ attributes: { type: 'Task' }, [ACTIVITY_KEY_FIELD]: activityKey, Subject: 'Email: hello' }]);
    },
  };
}
