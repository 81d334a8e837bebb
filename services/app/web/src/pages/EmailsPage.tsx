import { Anchor, Badge, Group, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, type FeedItem } from '../api';
import { ShowMore, useCursorList } from '../lists';
import { EmptyState, ErrorState, Loading, PageTitle, formatTime } from '../ui';

interface SentEmail {
  id: string;
  enrollmentId: string | null;
  stepNumber: number | null;
  status: string;
  subject: string;
  recipients: { to: { address: string; name: string | null }[]; cc: { address: string; name: string | null }[] };
  sentAt: string | null;
  failureReason: string | null;
}

interface Engagement {
  sentEmailId: string;
  humanOpens: number;
  humanClicks: number;
}

const names = (list: { address: string; name: string | null }[]) => list.map((a) => a.name || a.address).join(', ');

/** Opens and clicks of the listed emails (one request), replies from the feed. */
function useEngagement(ids: string[]) {
  const engagement = useQuery({
    queryKey: ['engagement', ids],
    queryFn: () => api<{ items: Engagement[] }>(`/api/v1/emails/engagement?ids=${ids.slice(0, 100).join(',')}`),
    enabled: ids.length > 0,
    staleTime: 15_000,
  });
  const replies = useQuery({
    queryKey: ['feed', 'replies'],
    queryFn: () => api<{ items: FeedItem[] }>('/api/v1/feed?kinds=replied&limit=200'),
    staleTime: 15_000,
  });
  const byId = new Map(engagement.data?.items.map((e) => [e.sentEmailId, e]));
  const replyCount = new Map<string, number>();
  for (const item of replies.data?.items ?? []) if (item.sentEmailId) replyCount.set(item.sentEmailId, (replyCount.get(item.sentEmailId) ?? 0) + 1);
  return { byId, replyCount, loaded: Boolean(engagement.data) };
}

export function EmailsPage() {
  const { query: list, items } = useCursorList<SentEmail>(['emails'], '/api/v1/emails');
  const { byId, replyCount, loaded } = useEngagement(items.map((e) => e.id));
  return (
    <>
      <PageTitle>Sent emails</PageTitle>
      {list.isPending ? <Loading label="Loading sent emails" /> : null}
      {list.error ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : null}
      {list.data && items.length === 0 ? (
        <EmptyState title="No email sent yet">
          Emails appear here once a sequence sends them. <Anchor component={Link} to="/sequences">Create a sequence and enrol someone</Anchor>.
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <Table.ScrollContainer minWidth={680}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Subject</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Sent</Table.Th>
                <Table.Th>Opens</Table.Th>
                <Table.Th>Clicks</Table.Th>
                <Table.Th>Replies</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      {e.enrollmentId ? (
                        <Anchor component={Link} to={`/enrollments/${e.enrollmentId}`} size="sm">
                          {e.subject || '(no subject)'}
                        </Anchor>
                      ) : (
                        <Text size="sm">{e.subject || '(no subject)'}</Text>
                      )}
                      {e.status !== 'sent' ? (
                        <Badge size="xs" color={e.status === 'failed' ? 'red' : 'gray'} title={e.failureReason ?? undefined}>
                          {e.status}
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {names(e.recipients.to)}
                    {e.recipients.cc.length ? ` (CC ${names(e.recipients.cc)})` : ''}
                  </Table.Td>
                  <Table.Td>{formatTime(e.sentAt)}</Table.Td>
                  <Table.Td>{loaded ? (byId.get(e.id)?.humanOpens ?? 0) : '…'}</Table.Td>
                  <Table.Td>{loaded ? (byId.get(e.id)?.humanClicks ?? 0) : '…'}</Table.Td>
                  <Table.Td>{replyCount.get(e.id) ?? 0}</Table.Td>
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
