import { Alert, Anchor, Badge, Button, Card, FileInput, Group, SegmentedControl, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, lazy, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type Enrollment, type Mailbox, type Sequence } from '../api';
import { csvToEnrollRows, parseAddressList, type CsvEnrollRow } from '../csv';
import { ShowMore, useCursorList } from '../lists';
import { EmptyState, ErrorState, FormError, Loading, PageTitle, fieldErrors, formatTime } from '../ui';
import { useMailboxes } from './settings/MailboxesSettings';

interface SequenceSummary {
  id: string;
  name: string;
  stepCount: number;
  enrollments: { active: number; paused: number; stopped: number; completed: number; failed: number };
  createdAt: string;
}

// The step editor (Tiptap) loads when someone edits the steps, not with the sequence page.
const SequenceStepsForm = lazy(() => import('./SequenceStepsForm').then((m) => ({ default: m.SequenceStepsForm })));

export interface EnrollmentSummary {
  id: string;
  sequenceId: string;
  sequenceName: string;
  prospect: { address: string; name: string | null };
  cc: { address: string; name: string | null }[];
  state: string;
  nextStepNumber: number;
  stepCount: number;
  stopReason: string | null;
  createdAt: string;
}

export const STATE_COLOR: Record<string, string> = { active: 'blue', paused: 'yellow', stopped: 'red', completed: 'green', failed: 'red' };

export function StateBadge({ state }: { state: string }) {
  return (
    <Badge variant="light" color={STATE_COLOR[state] ?? 'gray'}>
      {state}
    </Badge>
  );
}

export function SequencesPage() {
  const [q, setQ] = useState('');
  const [sort, setSort] = useState('newest');
  const { query: list, items } = useCursorList<SequenceSummary>(['sequences'], '/api/v1/sequences', { q: q.trim(), sort });
  return (
    <>
      <PageTitle
        right={
          <Button component={Link} to="/sequences/new">
            New sequence
          </Button>
        }
      >
        Sequences
      </PageTitle>
      <Group align="flex-end" mb="md" wrap="wrap">
        <TextInput label="Search sequences" placeholder="Name" value={q} onChange={(e) => setQ(e.currentTarget.value)} w={{ base: '100%', sm: 360 }} />
        <SegmentedControl
          aria-label="Sort sequences"
          value={sort}
          onChange={setSort}
          data={[
            { value: 'newest', label: 'Newest first' },
            { value: 'name', label: 'By name' },
          ]}
        />
      </Group>
      {list.isPending ? <Loading label="Loading sequences" /> : null}
      {list.error ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : null}
      {list.data && items.length === 0 ? (
        <EmptyState title={q ? 'No sequence matches' : 'No sequence yet'}>
          {q ? 'Try another name.' : 'Create a sequence: the emails a prospect gets, one step after another, until they reply.'}
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <Table.ScrollContainer minWidth={520}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Steps</Table.Th>
                <Table.Th>Active</Table.Th>
                <Table.Th>Stopped</Table.Th>
                <Table.Th>Created</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/sequences/${s.id}`}>
                      {s.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{s.stepCount}</Table.Td>
                  <Table.Td>{s.enrollments.active}</Table.Td>
                  <Table.Td>{s.enrollments.stopped}</Table.Td>
                  <Table.Td>{formatTime(s.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      <ShowMore query={list} />
    </>
  );
}

function MailboxSelect({ mailboxes, value, onChange, error }: { mailboxes: Mailbox[]; value: string | null; onChange: (v: string | null) => void; error?: string }) {
  return (
    <Select
      label="Send from"
      data={mailboxes.filter((m) => m.state !== 'disconnected').map((m) => ({ value: m.id, label: m.emailAddress }))}
      value={value}
      onChange={onChange}
      allowDeselect={false}
      error={error}
      w={300}
    />
  );
}

function EnrolForm({ sequence, mailboxes }: { sequence: Sequence; mailboxes: Mailbox[] }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [mailboxId, setMailboxId] = useState<string | null>(mailboxes.find((m) => m.state !== 'disconnected')?.id ?? null);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [cc, setCc] = useState('');
  const mailbox = mailboxes.find((m) => m.id === mailboxId);
  const enrol = useMutation({
    mutationFn: () =>
      api<Enrollment>(`/api/v1/sequences/${sequence.id}/enrollments`, {
        method: 'POST',
        body: { mailboxId, from: { address: mailbox?.emailAddress ?? '', name: null }, prospect: { email: email.trim(), name: name.trim() || null }, cc: parseAddressList(cc) },
      }),
    onSuccess: (enrollment) => {
      void client.invalidateQueries({ queryKey: ['enrollments'] });
      notifications.show({ color: 'green', message: `${enrollment.prospect.name ?? enrollment.prospect.address} is enrolled.` });
      void navigate(`/enrollments/${enrollment.id}`);
    },
  });
  const errors = fieldErrors(enrol.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    enrol.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="Enrol one person" noValidate>
      <Stack>
        <Title order={4}>Enrol one person</Title>
        <Group align="flex-start" wrap="wrap">
          <MailboxSelect mailboxes={mailboxes} value={mailboxId} onChange={setMailboxId} error={errors.mailboxId ?? errors.from} />
          <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errors['prospect.email'] ?? errors.prospect} />
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors['prospect.name']} />
        </Group>
        <TextInput
          label="CC"
          description="Comma-separated, e.g. Alan Bradley <alan@encom.com>"
          value={cc}
          onChange={(e) => setCc(e.currentTarget.value)}
          error={Object.entries(errors).find(([k]) => k.startsWith('cc'))?.[1]}
        />
        {enrol.error && Object.keys(errors).length === 0 ? <FormError error={enrol.error} /> : null}
        <Group>
          <Button type="submit" loading={enrol.isPending} disabled={!mailboxId}>
            Enrol
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

type BatchRowResult =
  | { row: number; status: 'created'; enrollmentId: string; email: string }
  | { row: number; status: 'duplicate'; email: string; enrollmentId: string | null; duplicateOfRow: number | null }
  | { row: number; status: 'error'; field: string; message: string };

function CsvEnrol({ sequence, mailboxes }: { sequence: Sequence; mailboxes: Mailbox[] }) {
  const client = useQueryClient();
  const [mailboxId, setMailboxId] = useState<string | null>(mailboxes.find((m) => m.state !== 'disconnected')?.id ?? null);
  const [rows, setRows] = useState<CsvEnrollRow[]>([]);
  const [fileError, setFileError] = useState<string | null>(null);
  const mailbox = mailboxes.find((m) => m.id === mailboxId);
  const upload = useMutation({
    mutationFn: () =>
      api<{ created: number; duplicates: number; errors: number; results: BatchRowResult[] }>(`/api/v1/sequences/${sequence.id}/enrollments/batch`, {
        method: 'POST',
        body: { mailboxId, from: { address: mailbox?.emailAddress ?? '', name: null }, rows },
      }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['enrollments'] }),
  });
  const read = async (file: File | null) => {
    upload.reset();
    setRows([]);
    setFileError(null);
    if (!file) return;
    if (file.size > 5_000_000) {
      setFileError('The file is larger than 5 MB.');
      return;
    }
    const parsed = csvToEnrollRows(await file.text());
    setFileError(parsed.error);
    setRows(parsed.rows);
  };
  const problems = upload.data?.results.filter((r) => r.status !== 'created') ?? [];
  return (
    <Stack>
      <Title order={4}>Enrol many from a CSV file</Title>
      <Text size="sm" c="dimmed">
        A header row with an <b>email</b> column, and optionally <b>name</b> and <b>cc</b>.
      </Text>
      <Group align="flex-start" wrap="wrap">
        <MailboxSelect mailboxes={mailboxes} value={mailboxId} onChange={setMailboxId} />
        <FileInput label="CSV file" accept=".csv,text/csv" placeholder="Choose a file" onChange={(f) => void read(f)} error={fileError} w={260} clearable />
      </Group>
      {rows.length > 0 ? (
        <Group>
          <Button onClick={() => upload.mutate()} loading={upload.isPending} disabled={!mailboxId}>
            Enrol {rows.length} {rows.length === 1 ? 'person' : 'people'}
          </Button>
        </Group>
      ) : null}
      <FormError error={upload.error} />
      {upload.data ? (
        <Alert color={upload.data.errors > 0 ? 'orange' : 'green'} role="status" title={`${upload.data.created} enrolled, ${upload.data.duplicates} already enrolled, ${upload.data.errors} with errors`}>
          {problems.length > 0 ? (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Row</Table.Th>
                  <Table.Th>Problem</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {problems.map((p) => (
                  <Table.Tr key={p.row}>
                    {/* Row 1 is the header: the file's line is the row index plus 2. */}
                    <Table.Td>{p.row + 2}</Table.Td>
                    <Table.Td>{p.status === 'error' ? `${p.field}: ${p.message}` : `${p.email} is already enrolled${p.duplicateOfRow !== null ? ` (row ${p.duplicateOfRow + 2})` : ''}`}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : null}
        </Alert>
      ) : null}
    </Stack>
  );
}

export function EnrollmentsTable({ sequenceId }: { sequenceId?: string }) {
  const { query: list, items } = useCursorList<EnrollmentSummary>(['enrollments'], '/api/v1/enrollments', { sequenceId });
  if (list.isPending) return <Loading label="Loading enrollments" />;
  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (items.length === 0) return <EmptyState title="Nobody enrolled yet">Enrol a person above, or upload a CSV file of them.</EmptyState>;
  return (
    <>
      <Table.ScrollContainer minWidth={520}>
        <Table highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Person</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Steps sent</Table.Th>
              <Table.Th>Enrolled</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/enrollments/${e.id}`}>
                    {e.prospect.name ? `${e.prospect.name} <${e.prospect.address}>` : e.prospect.address}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <StateBadge state={e.state} />
                </Table.Td>
                <Table.Td>
                  {Math.min(e.nextStepNumber - 1, e.stepCount)} of {e.stepCount}
                </Table.Td>
                <Table.Td>{formatTime(e.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ShowMore query={list} />
    </>
  );
}

function RenameForm({ sequence }: { sequence: Sequence }) {
  const client = useQueryClient();
  const [name, setName] = useState(sequence.name);
  const rename = useMutation({
    mutationFn: () => api<Sequence>(`/api/v1/sequences/${sequence.id}`, { method: 'PATCH', body: { name: name.trim() } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['sequence', sequence.id] });
      void client.invalidateQueries({ queryKey: ['sequences'] });
    },
  });
  const errors = fieldErrors(rename.error);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        rename.mutate();
      }}
      aria-label="Rename the sequence"
    >
      <Group align="flex-end" wrap="wrap">
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} w={320} />
        <Button type="submit" variant="light" loading={rename.isPending} disabled={name.trim() === sequence.name}>
          Rename
        </Button>
      </Group>
      {rename.error && !errors.name ? <FormError error={rename.error} /> : null}
    </form>
  );
}

function delayText(stepNumber: number, seconds: number): string {
  if (seconds === 0) return stepNumber === 1 ? 'At once' : 'Right after the previous step';
  const days = Math.round((seconds / 86_400) * 10) / 10;
  if (days >= 1) return `${stepNumber === 1 ? 'After' : 'Then after'} ${days} ${days === 1 ? 'day' : 'days'}`;
  const hours = Math.max(1, Math.round(seconds / 3600));
  return `${stepNumber === 1 ? 'After' : 'Then after'} ${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

/** The start of a step's body as plain text (the stored text, or the html without its tags). */
function bodyPreview(step: Sequence['steps'][number]): string {
  const text = step.text ?? new DOMParser().parseFromString(step.html ?? '', 'text/html').body.textContent ?? '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

export function SequencePage() {
  const { id } = useParams();
  const [editing, setEditing] = useState(false);
  const sequence = useQuery({ queryKey: ['sequence', id], queryFn: () => api<Sequence>(`/api/v1/sequences/${id}`) });
  const mailboxes = useMailboxes();
  if (sequence.isPending) return <Loading label="Loading the sequence" />;
  if (sequence.error) return <ErrorState error={sequence.error} onRetry={() => void sequence.refetch()} />;
  const s = sequence.data;
  const usable = mailboxes.data?.filter((m) => m.state !== 'disconnected') ?? [];
  return (
    <Stack>
      <PageTitle>{s.name}</PageTitle>
      <RenameForm sequence={s} />
      <Card withBorder>
        <Group justify="space-between" mb="xs">
          <Title order={3} size="h4">
            Steps
          </Title>
          {!editing ? (
            <Button variant="light" size="xs" onClick={() => setEditing(true)}>
              Edit steps
            </Button>
          ) : null}
        </Group>
        {editing ? (
          <Suspense fallback={<Loading label="Loading the editor" />}>
            <SequenceStepsForm sequence={s} onDone={() => setEditing(false)} />
          </Suspense>
        ) : (
          <Stack gap="sm" data-testid="steps">
            {s.steps.map((step) => (
              <Stack key={step.stepNumber} gap={0}>
                <Text size="sm" fw={500}>
                  {step.stepNumber}. {delayText(step.stepNumber, step.delaySeconds)} — {step.inThread ? 'reply in the same thread' : step.subject}
                </Text>
                <Text size="sm" c="dimmed" lineClamp={2}>
                  {bodyPreview(step)}
                </Text>
              </Stack>
            ))}
          </Stack>
        )}
      </Card>
      <Card withBorder>
        {mailboxes.isPending ? <Loading label="Loading mailboxes" /> : null}
        {mailboxes.error ? <ErrorState error={mailboxes.error} /> : null}
        {mailboxes.data && usable.length === 0 ? (
          <EmptyState title="Connect a mailbox first">
            Sequences are sent from your own mailbox. <Anchor component={Link} to="/settings/mailboxes">Connect one in Settings</Anchor>.
          </EmptyState>
        ) : null}
        {usable.length > 0 ? (
          <Stack gap="xl">
            <EnrolForm sequence={s} mailboxes={usable} />
            <CsvEnrol sequence={s} mailboxes={usable} />
          </Stack>
        ) : null}
      </Card>
      <Title order={3} size="h4">
        Enrolled
      </Title>
      <EnrollmentsTable sequenceId={s.id} />
    </Stack>
  );
}
