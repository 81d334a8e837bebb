import { Alert, Badge, Button, Group, Image, Progress, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiError, csrfHeaders } from '../api';
import { ShowMore, useCursorList } from '../lists';
import { EmptyState, ErrorState, Loading, PageTitle, formatTime } from '../ui';

interface DocumentItem {
  id: string;
  title: string;
  shared: boolean;
  latestVersion: number;
  updatedAt: string;
  latest: { version: number; filename: string; fileType: string; status: 'pending' | 'converting' | 'ready' | 'failed'; failureReason: string | null; pageCount: number | null; sizeBytes: number };
}

const ACCEPT = '.pdf,.doc,.docx,.ppt,.pptx,application/pdf,application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.ms-powerpoint,application/vnd.openxmlformats-officedocument.presentationml.presentation';
const STATUS_COLOR = { pending: 'gray', converting: 'blue', ready: 'green', failed: 'red' } as const;

/** Sends the file itself as the body, reporting progress (fetch cannot report upload progress). */
function uploadFile(file: File, onProgress: (fraction: number) => void): Promise<DocumentItem> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/documents?${new URLSearchParams({ filename: file.name.slice(0, 255) })}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    for (const [name, value] of Object.entries(csrfHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'network', 'Telltale cannot be reached. Check your connection and try again.', []));
    xhr.onload = () => {
      let body: { error?: string; message?: string } | null = null;
      try {
        body = JSON.parse(xhr.responseText) as { error?: string; message?: string };
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as unknown as DocumentItem);
      else reject(new ApiError(xhr.status, body?.error ?? 'error', body?.message ?? `The server answered ${xhr.status}.`, [], (body ?? {}) as Record<string, unknown>));
    };
    xhr.send(file);
  });
}

/** The content library (issue 16): upload decks and proposals, see their conversion, search their text. */
export function ContentPage() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const { query: list, items } = useCursorList<DocumentItem>(['documents'], '/api/v1/documents', { q: search || null });
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const converting = items.some((d) => d.latest.status === 'pending' || d.latest.status === 'converting');
  // While a file converts, look again every 2 s.
  useEffect(() => {
    if (!converting) return;
    const timer = setInterval(() => void queryClient.invalidateQueries({ queryKey: ['documents'] }), 2000);
    return () => clearInterval(timer);
  }, [converting, queryClient]);

  const planError = list.error instanceof ApiError && list.error.code === 'plan_required' ? list.error : null;
  if (planError) {
    return (
      <>
        <PageTitle>Content</PageTitle>
        <Alert color="blue" title="Document tracking is part of the Team plan" maw={640}>
          {planError.message} Upload decks and proposals, send each recipient their own link and see who read which page, for how long. Ask an admin of your
          organisation to move to the Team or Business plan.
        </Alert>
      </>
    );
  }

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setUploadError(null);
    setProgress(0);
    try {
      await uploadFile(file, setProgress);
      await queryClient.invalidateQueries({ queryKey: ['documents'] });
    } catch (err) {
      setUploadError(err instanceof Error ? err.message : String(err));
    } finally {
      setProgress(null);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <>
      <PageTitle
        right={
          <Button onClick={() => input.current?.click()} loading={progress !== null}>
            Upload a document
          </Button>
        }
      >
        Content
      </PageTitle>
      <input ref={input} type="file" accept={ACCEPT} hidden aria-label="Document file" data-testid="document-file" onChange={(e) => void onFile(e.currentTarget.files?.[0])} />
      <Stack gap="sm" mb="md">
        <Text size="sm" c="dimmed">
          PDF, Word (.doc, .docx) and PowerPoint (.ppt, .pptx) files. Office files are converted to PDF for the viewer.
        </Text>
        {progress !== null && <Progress value={Math.round(progress * 100)} aria-label="Upload progress" />}
        {uploadError && (
          <Alert color="red" title="The file was not uploaded" withCloseButton onClose={() => setUploadError(null)}>
            {uploadError}
          </Alert>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setSearch(q.trim());
          }}
        >
          <Group gap="xs">
            <TextInput placeholder="Search titles and text" aria-label="Search documents" value={q} onChange={(e) => setQ(e.currentTarget.value)} maxLength={200} w={320} />
            <Button type="submit" variant="light">
              Search
            </Button>
          </Group>
        </form>
      </Stack>
      {list.isPending ? (
        <Loading label="Loading documents" />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={search ? 'No document matches' : 'No documents yet'}>{search ? 'Try other words.' : 'Upload a deck or a proposal to track who reads it.'}</EmptyState>
      ) : (
        <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={72}>Preview</Table.Th>
                <Table.Th>Title</Table.Th>
                <Table.Th miw={96}>Status</Table.Th>
                <Table.Th>Pages</Table.Th>
                <Table.Th visibleFrom="sm">Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>
                    {d.latest.status === 'ready' ? (
                      <Image src={`/api/v1/documents/${d.id}/versions/${d.latest.version}/pages/1/thumbnail`} alt={`First page of ${d.title}`} w={56} h={78} fit="contain" bd="1px solid gray.3" />
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Text fw={500}>{d.title}</Text>
                    <Text size="xs" c="dimmed">
                      {d.latest.filename} · v{d.latestVersion}
                      {d.shared ? ' · shared' : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[d.latest.status]} variant="light">
                      {d.latest.status}
                    </Badge>
                    {d.latest.failureReason && (
                      <Text size="xs" c="red.8">
                        {d.latest.failureReason}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{d.latest.pageCount ?? '—'}</Table.Td>
                  <Table.Td visibleFrom="sm">{formatTime(d.updatedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
        </Table>
      )}
      <ShowMore query={list} />
    </>
  );
}
