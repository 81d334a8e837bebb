import type { Connection } from 'jsforce';
import type { SalesforceActivityGateway, SalesforceRecord } from '../salesforce/salesforce-activity.gateway';
import { soqlStringLiteral } from '../salesforce/soql-literal';
import type { CrmSettings } from './crm-settings';

/**
 * Matching, in the published order (docs/crm-writer.md, "Matching"), every decision explained:
 *
 * 1. WhoId: the Contact with the person's email (several: the most recently modified, then the
 *    highest Id); else the unconverted Lead with it (same tie-break); for a reply, the replier
 *    first, then the prospect emailed.
 * 2. Nobody: the organisation's `unmatched_policy` — `create_lead` creates a Lead for the person,
 *    `park` leaves the activity unmatched, re-matched periodically and on demand.
 * 3. WhatId: the Contact's Account; with `link_open_opportunity`, the Account's most recently
 *    modified open Opportunity instead. A Lead has no WhatId (Salesforce relates a Lead's Task to
 *    nothing else).
 * 4. OwnerId: the rep's active Salesforce User, found by email; when there is none, the Task is
 *    owned by the connected (integration) user, and the decision says so.
 *
 * One batch of activities costs ONE Composite call for the Contact, Lead and (for reps not looked
 * up in the last day) User queries, plus one Opportunity query when the setting is on: the same for
 * 1 activity or 200.
 */

export interface MatchRequest {
  activityKey: string;
  /** Whom to look for, in order (a reply: the replier, then the prospect). */
  people: Array<{ address: string; name?: string | null }>;
  /** The rep's address: the Task's owner. */
  repEmail: string | null;
}

export interface MatchDecision {
  outcome: 'matched' | 'unmatched';
  who: { id: string; type: 'Contact' | 'Lead'; email: string; created?: boolean } | null;
  what: { id: string; type: 'Account' | 'Opportunity' } | null;
  owner: { id: string; email: string } | null;
  /** Each step in words an admin understands. */
  reasons: string[];
}

interface PersonRow {
  Id: string;
  Email: string;
  AccountId?: string | null;
  LastModifiedDate: string;
}

/** Emails per IN (…) list: keeps the query URL well under Salesforce's 16 384-character URI limit. */
const EMAILS_PER_QUERY = 150;
const REP_USER_TTL_MS = 24 * 60 * 60 * 1000;

export interface RepUserCache {
  get(orgId: string, emails: string[], freshAfter: Date): Promise<Map<string, string | null>>;
  put(orgId: string, found: Map<string, string | null>): Promise<void>;
}

const lower = (s: string) => s.trim().toLowerCase();

export class ActivityMatcher {
  constructor(
    private readonly gateway: SalesforceActivityGateway,
    private readonly repUsers: RepUserCache,
    private readonly now: () => Date,
  ) {}

  async match(orgId: string, conn: Connection, requests: MatchRequest[], settings: CrmSettings): Promise<Map<string, MatchDecision>> {
    const emails = unique(requests.flatMap((r) => r.people.map((p) => lower(p.address))));
    const reps = unique(requests.flatMap((r) => (r.repEmail ? [lower(r.repEmail)] : [])));
    const knownReps = reps.length > 0 ? await this.repUsers.get(orgId, reps, new Date(this.now().getTime() - REP_USER_TTL_MS)) : new Map<string, string | null>();
    const missingReps = reps.filter((e) => !knownReps.has(e));
    // Contacts, Leads and the reps not looked up lately: one Composite call (up to five queries).
    const contactQueries = chunks(emails, EMAILS_PER_QUERY).map(
      (c) => `SELECT Id, Email, AccountId, LastModifiedDate FROM Contact WHERE Email IN (${c.map(soqlStringLiteral).join(', ')}) ORDER BY LastModifiedDate DESC, Id DESC`,
    );
    const leadQueries = chunks(emails, EMAILS_PER_QUERY).map(
      (c) => `SELECT Id, Email, LastModifiedDate FROM Lead WHERE Email IN (${c.map(soqlStringLiteral).join(', ')}) AND IsConverted = false ORDER BY LastModifiedDate DESC, Id DESC`,
    );
    const userQueries = chunks(missingReps, EMAILS_PER_QUERY).map(
      (c) => `SELECT Id, Email FROM User WHERE Email IN (${c.map(soqlStringLiteral).join(', ')}) AND IsActive = true ORDER BY CreatedDate ASC, Id ASC`,
    );
    const queries = [...contactQueries, ...leadQueries, ...userQueries];
    const answers = queries.length > 0 ? await this.gateway.queries(orgId, conn, queries) : [];
    const contacts = byEmail(answers.slice(0, contactQueries.length).flat());
    const leads = byEmail(answers.slice(contactQueries.length, contactQueries.length + leadQueries.length).flat());
    if (missingReps.length > 0) {
      const found = new Map<string, string | null>(missingReps.map((e) => [e, null]));
      for (const row of answers.slice(contactQueries.length + leadQueries.length).flat()) {
        const email = lower(String(row.Email));
        if (found.get(email) === null) found.set(email, String(row.Id));
      }
      await this.repUsers.put(orgId, found);
      for (const [email, id] of found) knownReps.set(email, id);
    }

    const decisions = new Map<string, MatchDecision>();
    for (const request of requests) decisions.set(request.activityKey, this.decideWho(request, contacts, leads, settings));
    if (settings.unmatchedPolicy === 'create_lead') await this.createLeads(orgId, conn, requests, decisions);
    await this.decideWhat(orgId, conn, contacts, decisions, settings);
    this.decideOwners(requests, decisions, knownReps);
    return decisions;
  }

  private decideWho(request: MatchRequest, contacts: Map<string, PersonRow[]>, leads: Map<string, PersonRow[]>, settings: CrmSettings): MatchDecision {
    const reasons: string[] = [];
    for (const person of request.people) {
      const email = lower(person.address);
      const found = contacts.get(email);
      if (found && found.length > 0) {
        const chosen = found[0] as PersonRow;
        reasons.push(
          found.length === 1
            ? `Contact ${chosen.Id} has the email ${email}.`
            : `${found.length} Contacts have the email ${email}; chose ${chosen.Id}, the most recently modified (${chosen.LastModifiedDate}).`,
        );
        return { outcome: 'matched', who: { id: chosen.Id, type: 'Contact', email }, what: null, owner: null, reasons };
      }
      const lead = leads.get(email);
      if (lead && lead.length > 0) {
        const chosen = lead[0] as PersonRow;
        reasons.push(
          lead.length === 1
            ? `No Contact has the email ${email}; unconverted Lead ${chosen.Id} has it.`
            : `No Contact has the email ${email}; ${lead.length} unconverted Leads have it; chose ${chosen.Id}, the most recently modified (${chosen.LastModifiedDate}).`,
        );
        return { outcome: 'matched', who: { id: chosen.Id, type: 'Lead', email }, what: null, owner: null, reasons };
      }
      reasons.push(`No Contact and no unconverted Lead has the email ${email}.`);
    }
    reasons.push(
      settings.unmatchedPolicy === 'park'
        ? 'The organisation parks unmatched activities (setting unmatched_policy = park): it is written once a Contact or Lead with this email exists; re-matched every hour and on demand.'
        : 'The organisation creates a Lead for unmatched people (setting unmatched_policy = create_lead).',
    );
    return { outcome: 'unmatched', who: null, what: null, owner: null, reasons };
  }

  /** The first person of each unmatched activity becomes a Lead (one create call for the batch). */
  private async createLeads(orgId: string, conn: Connection, requests: MatchRequest[], decisions: Map<string, MatchDecision>): Promise<void> {
    const wanted = new Map<string, { address: string; name?: string | null }>();
    for (const request of requests) {
      const person = request.people[0];
      if (decisions.get(request.activityKey)?.outcome === 'unmatched' && person) wanted.set(lower(person.address), person);
    }
    if (wanted.size === 0) return;
    const people = [...wanted.entries()].slice(0, 200);
    const results = await this.gateway.create(orgId, conn, people.map(([email, p]) => leadRecord(email, p.name ?? null)));
    const created = new Map<string, string | { error: string }>();
    people.forEach(([email], i) => {
      const result = results[i];
      created.set(email, result?.success && result.id ? result.id : { error: result?.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ') ?? 'no result' });
    });
    for (const request of requests) {
      const decision = decisions.get(request.activityKey);
      const email = request.people[0] ? lower(request.people[0].address) : undefined;
      const lead = email ? created.get(email) : undefined;
      if (!decision || decision.outcome !== 'unmatched' || !email || lead === undefined) continue;
      if (typeof lead === 'string') {
        decision.outcome = 'matched';
        decision.who = { id: lead, type: 'Lead', email, created: true };
        decision.reasons.push(`Created Lead ${lead} for ${email}.`);
      } else {
        decision.reasons.push(`Creating a Lead for ${email} failed (${lead.error}); the activity waits as unmatched.`);
      }
    }
  }

  private async decideWhat(
    orgId: string,
    conn: Connection,
    contacts: Map<string, PersonRow[]>,
    decisions: Map<string, MatchDecision>,
    settings: CrmSettings,
  ): Promise<void> {
    const accountOf = new Map<string, string | null>();
    for (const rows of contacts.values()) for (const row of rows) accountOf.set(row.Id, row.AccountId ?? null);
    const accounts = unique([...decisions.values()].flatMap((d) => (d.who?.type === 'Contact' && accountOf.get(d.who.id) ? [accountOf.get(d.who.id) as string] : [])));
    const opportunities = new Map<string, { Id: string; LastModifiedDate: string }>();
    if (settings.linkOpenOpportunity && accounts.length > 0) {
      for (const chunk of chunks(accounts, EMAILS_PER_QUERY)) {
        const rows = await this.gateway.query(
          orgId,
          conn,
          `SELECT Id, AccountId, LastModifiedDate FROM Opportunity WHERE AccountId IN (${chunk.map(soqlStringLiteral).join(', ')}) AND IsClosed = false ORDER BY LastModifiedDate DESC, Id DESC`,
        );
        for (const row of rows) {
          const accountId = String(row.AccountId);
          if (!opportunities.has(accountId)) opportunities.set(accountId, { Id: String(row.Id), LastModifiedDate: String(row.LastModifiedDate) });
        }
      }
    }
    for (const decision of decisions.values()) {
      if (!decision.who) continue;
      if (decision.who.type === 'Lead') {
        decision.reasons.push('A Lead\'s Task is related to nothing else: no WhatId.');
        continue;
      }
      const accountId = accountOf.get(decision.who.id) ?? null;
      if (!accountId) {
        decision.reasons.push(`Contact ${decision.who.id} has no Account: no WhatId.`);
        continue;
      }
      const opportunity = opportunities.get(accountId);
      if (opportunity) {
        decision.what = { id: opportunity.Id, type: 'Opportunity' };
        decision.reasons.push(`WhatId: open Opportunity ${opportunity.Id}, the most recently modified on Account ${accountId} (setting link_open_opportunity).`);
      } else {
        decision.what = { id: accountId, type: 'Account' };
        decision.reasons.push(
          settings.linkOpenOpportunity
            ? `WhatId: the Contact's Account ${accountId} (it has no open Opportunity).`
            : `WhatId: the Contact's Account ${accountId}.`,
        );
      }
    }
  }

  private decideOwners(requests: MatchRequest[], decisions: Map<string, MatchDecision>, known: Map<string, string | null>): void {
    for (const request of requests) {
      const decision = decisions.get(request.activityKey);
      if (!decision) continue;
      const rep = request.repEmail ? lower(request.repEmail) : null;
      const userId = rep ? known.get(rep) : undefined;
      if (rep && userId) {
        decision.owner = { id: userId, email: rep };
        decision.reasons.push(`Owner: Salesforce User ${userId}, the active User with the rep's email ${rep}.`);
      } else if (rep) {
        decision.reasons.push(`Owner: no active Salesforce User has the rep's email ${rep}; the Task belongs to the connected Salesforce user instead.`);
      } else {
        decision.reasons.push('Owner: the rep of this activity is not known yet; the Task belongs to the connected Salesforce user.');
      }
    }
  }
}

/** A Lead for someone Salesforce does not know: name from the address when we have none, company from the domain. */
function leadRecord(email: string, name: string | null): SalesforceRecord {
  const [local, domain = ''] = email.split('@');
  const words = (name ?? '').trim().split(/\s+/).filter((w) => w !== '');
  const lastName = (words.length > 0 ? (words.at(-1) as string) : (local ?? email)).slice(0, 80);
  const firstName = words.length > 1 ? words.slice(0, -1).join(' ').slice(0, 40) : null;
  return {
    attributes: { type: 'Lead' },
    Email: email,
    LastName: lastName,
    ...(firstName ? { FirstName: firstName } : {}),
    Company: (domain.split('.')[0] || domain || 'Unknown').slice(0, 255),
  };
}

/** Rows of people by lower-case email, in query order (the tie-break: most recently modified first). */
function byEmail(rows: Array<Record<string, unknown>>): Map<string, PersonRow[]> {
  const out = new Map<string, PersonRow[]>();
  for (const row of rows) {
    const email = lower(String(row.Email));
    const list = out.get(email) ?? [];
    list.push({ Id: String(row.Id), Email: email, AccountId: (row.AccountId as string | null | undefined) ?? null, LastModifiedDate: String(row.LastModifiedDate) });
    out.set(email, list);
  }
  return out;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function chunks<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
