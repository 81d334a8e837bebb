import { ForbiddenException, NotFoundException, UnsupportedMediaTypeException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Uuid, documentUploadedTopic, type DocumentFileType } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { CursorTimestamp, PageLimit, cursorParam, newestFirstPage, ownsOrOversees, seesWholeOrganisation, SqlWhere, type Caller, type Page, type ServiceRuntime } from '@telltale/runtime';
import type { OrganizationPlan } from '../content.config';
import { storageKey, type DocumentStorage } from '../storage/document-storage';
import { CONTENT_TYPES, sniffFileType } from './file-type';

/** `POST /v1/documents` and `POST /v1/documents/:id/versions`: the file's name and the item's details, in the query (the body is the file). */
export const UploadQuery = z
  .object({
    filename: z.string().trim().min(1).max(255),
    title: z.string().trim().min(1).max(200).optional(),
    shared: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  })
  .strict();
export type UploadQuery = z.output<typeof UploadQuery>;

/** `GET /v1/documents`: newest first; `q` searches titles and the documents' text (PostgreSQL full-text, any language). */
/** A version number and a page number in a path (the page within CONTENT_MAX_PAGES' ceiling). */
export const VersionParam = z.coerce.number().int().min(1).max(100_000);
export const PageParam = z.coerce.number().int().min(1).max(10_000);

export const ListDocumentsQuery = z
  .object({
    q: z.string().trim().min(1).max(200).optional(),
    cursor: cursorParam(CursorTimestamp, Uuid),
    limit: PageLimit,
  })
  .strict();
export type ListDocumentsQuery = z.output<typeof ListDocumentsQuery>;

export type VersionStatus = 'pending' | 'converting' | 'ready' | 'failed';

export interface VersionView {
  documentId: string;
  version: number;
  filename: string;
  fileType: DocumentFileType;
  sizeBytes: number;
  status: VersionStatus;
  failureReason: string | null;
  pageCount: number | null;
  uploadedBy: string;
  uploadedAt: string;
  convertedAt: string | null;
}

export interface DocumentView {
  id: string;
  title: string;
  ownerUserId: string | null;
  shared: boolean;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
  /** The newest version: its status, pages and file. */
  latest: VersionView;
}

interface VersionRow {
  document_id: string;
  version: number;
  filename: string;
  file_type: DocumentFileType;
  size_bytes: string;
  status: VersionStatus;
  failure_reason: string | null;
  page_count: number | null;
  uploaded_by: string;
  uploaded_at: Date;
  converted_at: Date | null;
}

interface DocumentRow extends VersionRow {
  id: string;
  org_id: string;
  owner_user_id: string | null;
  title: string;
  shared: boolean;
  latest_version: number;
  created_at: Date;
  updated_at: Date;
  created_key: string;
}

const VERSION_COLUMNS = `v.document_id, v.version, v.filename, v.file_type, v.size_bytes, v.status, v.failure_reason, v.page_count, v.uploaded_by, v.uploaded_at, v.converted_at`;
const DOCUMENT_SELECT = `SELECT d.id, d.org_id, d.owner_user_id, d.title, d.shared, d.latest_version, d.created_at, d.updated_at, d.created_at::text AS created_key, ${VERSION_COLUMNS}
  FROM content.document d JOIN content.document_version v ON v.document_id = d.id AND v.version = d.latest_version`;

export const PLAN_RANK: Record<OrganizationPlan, number> = { free: 0, team: 1, business: 2 };

export function versionView(r: VersionRow): VersionView {
  return {
    documentId: r.document_id,
    version: r.version,
    filename: r.filename,
    fileType: r.file_type,
    sizeBytes: Number(r.size_bytes),
    status: r.status,
    failureReason: r.failure_reason,
    pageCount: r.page_count,
    uploadedBy: r.uploaded_by,
    uploadedAt: r.uploaded_at.toISOString(),
    convertedAt: r.converted_at?.toISOString() ?? null,
  };
}

function documentView(r: DocumentRow): DocumentView {
  return {
    id: r.id,
    title: r.title,
    ownerUserId: r.owner_user_id,
    shared: r.shared,
    latestVersion: r.latest_version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    latest: versionView(r),
  };
}

const notFound = () => new NotFoundException({ error: 'document_not_found', message: 'No such document in your content library.' });

/**
 * The organisation's content library: uploads (the real file type read from the bytes), versions,
 * the list with search, deletion, and the plan that gates all of it. Reps see their own items and
 * shared ones; managers and admins the whole organisation's.
 */
export class DocumentLibrary {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly storage: DocumentStorage,
    private readonly clock: Clock,
    private readonly defaultPlan: OrganizationPlan,
  ) {}

  async planOf(orgId: string): Promise<OrganizationPlan> {
    const [row] = (await this.runtime.dataSource.query(`SELECT plan FROM content.organization_plan WHERE org_id = $1`, [orgId])) as { plan: OrganizationPlan }[];
    return row?.plan ?? this.defaultPlan;
  }

  async setPlan(orgId: string, plan: OrganizationPlan): Promise<void> {
    await this.runtime.dataSource.query(
      `INSERT INTO content.organization_plan (org_id, plan, updated_at) VALUES ($1, $2, $3) ON CONFLICT (org_id) DO UPDATE SET plan = EXCLUDED.plan, updated_at = EXCLUDED.updated_at`,
      [orgId, plan, this.clock.now()],
    );
  }

  /** Document tracking is for team plans and above: a typed 403 naming the plan otherwise. */
  async requirePlan(orgId: string): Promise<void> {
    const plan = await this.planOf(orgId);
    if (PLAN_RANK[plan] < PLAN_RANK.team) {
      throw new ForbiddenException({
        error: 'plan_required',
        message: `Document tracking is part of the Team and Business plans; your organisation is on the ${plan[0]!.toUpperCase()}${plan.slice(1)} plan.`,
        plan,
        requiredPlan: 'team',
      });
    }
  }

  /** A new document (documentId absent) or a new version of one the caller may change. */
  async upload(caller: Caller, query: UploadQuery, bytes: Buffer, documentId?: string): Promise<DocumentView> {
    await this.requirePlan(caller.orgId);
    const sniffed = sniffFileType(bytes);
    if (!sniffed.supported) {
      throw new UnsupportedMediaTypeException({
        error: 'unsupported_file_type',
        message: `This file is ${sniffed.description}; the content library takes PDF, Word (.doc, .docx) and PowerPoint (.ppt, .pptx) files.`,
        detected: sniffed.description,
      });
    }
    const now = this.clock.now();
    const id = documentId ?? randomUUID();
    await this.runtime.dataSource.transaction(async (m) => {
      let version = 1;
      if (documentId) {
        const [doc] = (await m.query(`SELECT owner_user_id, latest_version FROM content.document WHERE id = $1 AND org_id = $2 FOR UPDATE`, [documentId, caller.orgId])) as {
          owner_user_id: string | null;
          latest_version: number;
        }[];
        if (!doc || !ownsOrOversees(caller, doc.owner_user_id)) throw notFound();
        version = doc.latest_version + 1;
        await m.query(`UPDATE content.document SET latest_version = $2, updated_at = $3 ${query.title ? ', title = $4' : ''} WHERE id = $1`, [id, version, now, ...(query.title ? [query.title] : [])]);
      } else {
        await m.query(
          `INSERT INTO content.document (id, org_id, owner_user_id, title, shared, latest_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6)`,
          [id, caller.orgId, caller.userId, query.title ?? titleFrom(query.filename), query.shared ?? false, now],
        );
      }
      // The bytes first: a version row never points at nothing (a crash leaves at worst an orphan file).
      await this.storage.put(storageKey(caller.orgId, id, version, 'original'), bytes, CONTENT_TYPES[sniffed.type]);
      await m.query(
        `INSERT INTO content.document_version (document_id, version, org_id, filename, file_type, size_bytes, status, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)`,
        [id, version, caller.orgId, query.filename, sniffed.type, bytes.length, caller.subject, now],
      );
      await this.runtime.outbox.enqueue(
        m,
        documentUploadedTopic,
        { orgId: caller.orgId, documentId: id, version, fileType: sniffed.type, sizeBytes: bytes.length, uploadedAt: now.toISOString() },
        { orgId: caller.orgId },
      );
    });
    return this.get(caller, id);
  }

  async list(caller: Caller, query: ListDocumentsQuery): Promise<Page<DocumentView>> {
    await this.requirePlan(caller.orgId);
    const where = this.visibleTo(caller);
    if (query.q) {
      where.add(`(to_tsvector('simple', d.title) || coalesce(v.search, ''::tsvector)) @@ websearch_to_tsquery('simple', $?)`, query.q);
    }
    return newestFirstPage<DocumentRow, DocumentView>(this.runtime.dataSource, DOCUMENT_SELECT, 'd', where, { cursor: query.cursor, limit: query.limit }, documentView);
  }

  async get(caller: Caller, id: string): Promise<DocumentView> {
    await this.requirePlan(caller.orgId);
    const where = this.visibleTo(caller).add('d.id = $?', id);
    const [row] = (await this.runtime.dataSource.query(`${DOCUMENT_SELECT} WHERE ${where.sql}`, where.params)) as DocumentRow[];
    if (!row) throw notFound();
    return documentView(row);
  }

  async versions(caller: Caller, id: string): Promise<{ items: VersionView[] }> {
    await this.get(caller, id);
    const rows = (await this.runtime.dataSource.query(`SELECT ${VERSION_COLUMNS} FROM content.document_version v WHERE v.document_id = $1 ORDER BY v.version DESC`, [id])) as VersionRow[];
    return { items: rows.map(versionView) };
  }

  /** Removes the document, every version and every stored file. Only its owner, a manager or an admin. */
  async delete(caller: Caller, id: string): Promise<{ deleted: true }> {
    const doc = await this.get(caller, id);
    if (!ownsOrOversees(caller, doc.ownerUserId)) throw notFound();
    await this.runtime.dataSource.transaction(async (m) => {
      await m.query(`DELETE FROM content.conversion_job WHERE document_id = $1`, [id]);
      await m.query(`DELETE FROM content.document WHERE id = $1 AND org_id = $2`, [id, caller.orgId]);
    });
    await this.storage.deletePrefix(storageKey(caller.orgId, id));
    return { deleted: true };
  }

  /** For the viewer (internal): a version's metadata, the newest when `version` is 'latest'. */
  async internalVersion(id: string, version: number | 'latest'): Promise<VersionView & { orgId: string; title: string; latestVersion: number }> {
    const rows = (await this.runtime.dataSource.query(
      `SELECT ${VERSION_COLUMNS}, d.org_id, d.title, d.latest_version FROM content.document d JOIN content.document_version v ON v.document_id = d.id
        WHERE d.id = $1 AND v.version = ${version === 'latest' ? 'd.latest_version' : '$2'}`,
      version === 'latest' ? [id] : [id, version],
    )) as (VersionRow & { org_id: string; title: string; latest_version: number })[];
    const row = rows[0];
    if (!row) throw new NotFoundException({ error: 'version_not_found', message: 'No such document version.' });
    return { ...versionView(row), orgId: row.org_id, title: row.title, latestVersion: row.latest_version };
  }

  /** A ready version's PDF, or one page's thumbnail (PNG); 404 before the conversion is done. */
  async internalFile(id: string, version: number, what: { pdf: true } | { thumbnailPage: number }): Promise<Buffer> {
    const v = await this.internalVersion(id, version);
    if (v.status !== 'ready') throw new NotFoundException({ error: 'version_not_ready', message: `The version is ${v.status}, not ready to be viewed.` });
    if ('thumbnailPage' in what && (what.thumbnailPage < 1 || what.thumbnailPage > (v.pageCount ?? 0))) {
      throw new NotFoundException({ error: 'page_not_found', message: `The version has ${v.pageCount ?? 0} pages.` });
    }
    const key = 'pdf' in what ? storageKey(v.orgId, id, version, 'document.pdf') : thumbnailKey(v.orgId, id, version, what.thumbnailPage);
    const bytes = await this.storage.get(key);
    if (!bytes) throw new NotFoundException({ error: 'file_not_found', message: 'The stored file is missing.' });
    return bytes;
  }

  private visibleTo(caller: Caller): SqlWhere {
    const where = new SqlWhere().add('d.org_id = $?', caller.orgId);
    if (caller.kind === 'user' && !seesWholeOrganisation(caller)) where.add('(d.owner_user_id = $? OR d.shared)', caller.userId);
    return where;
  }
}

export function thumbnailKey(orgId: string, documentId: string, version: number, page: number): string {
  return storageKey(orgId, documentId, version, 'thumbnails', `page-${page}.png`);
}

function titleFrom(filename: string): string {
  const base = filename.replace(/^.*[\\/]/, '').replace(/\.[A-Za-z0-9]{1,5}$/, '').trim();
  return (base || filename).slice(0, 200);
}
