import { Alert, Anchor, Badge, Button, Card, Group, MultiSelect, Select, Stack, Switch, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, type FeedItem } from '../api';
import { oversees, useMe } from '../me';
import { EmptyState, ErrorState, Loading, PageTitle, formatTime, formatTimesIn } from '../ui';

const KINDS = [
  { value: 'sent', label: 'Sent' },
  { value: 'opened', label: 'Opened' },
  { value: 'clicked', label: 'Clicked' },
  { value: 'replied', label: 'Replied' },
  { value: 'auto_reply', label: 'Out of office / auto-reply' },
  { value: 'bounced', label: 'Bounced' },
  { value: 'stopped', label: 'Campaign stopped' },
  { value: 'paused', label: 'Campaign paused' },
  { value: 'resumed', label: 'Campaign resumed' },
  { value: 'send_failed', label: 'Not sent' },
];
const KIND_LABEL = Object.fromEntries(KINDS.map((k) => [k.value, k.label]));
const KIND_COLOR: Record<string, string> = { sent: 'gray', opened: 'blue', clicked: 'violet', replied: 'green', auto_reply: 'yellow', bounced: 'red', stopped: 'red', paused: 'orange', resumed: 'teal', send_failed: 'red' };
const NOTIFY_KINDS = new Set(['opened', 'clicked', 'replied']);
const TIME_RANGES = [
  { value: 'all', label: 'Any time' },
  { value: '1', label: 'Last hour' },
  { value: '24', label: 'Last 24 hours' },
  { value: '168', label: 'Last 7 days' },
];
const NOTIFY_KEY = 'telltale.feed.notifications';

interface Filters {
  kinds: string[];
  includeMachine: boolean;
  sequenceId: string | null;
  ownerUserId: string | null;
  hours: string;
}

function filterParams(f: Filters, since: string | null): URLSearchParams {
  const p = new URLSearchParams();
  if (f.kinds.length) p.set('kinds', f.kinds.join(','));
  if (f.includeMachine) p.set('includeMachine', 'true');
  if (f.sequenceId) p.set('sequenceId', f.sequenceId);
  if (f.ownerUserId) p.set('ownerUserId', f.ownerUserId);
  if (since) p.set('since', since);
  return p;
}

type Connection = 'connecting' | 'live' | 'reconnecting';

/**
 * The feed's items: the latest page of history, then the stream from the newest id seen. The
 * browser's EventSource reconnects by itself with Last-Event-ID; items are kept by id, so one
 * delivered twice is shown once.
 */
function useFeed(filters: Filters, onLive: (item: FeedItem) => void) {
  const [items, setItems] = useState<Map<string, FeedItem>>(new Map());
  const [status, setStatus] = useState<Connection>('connecting');
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const onLiveRef = useRef(onLive);
  onLiveRef.current = onLive;
  const key = JSON.stringify(filters);

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    let newest = 0n;
    const since = filters.hours === 'all' ? null : new Date(Date.now() - Number(filters.hours) * 3_600_000).toISOString();
    const params = filterParams(filters, since);
    const seen = new Set<string>();
    /** False for an item already shown (delivered again after a reconnect). */
    const add = (item: FeedItem): boolean => {
      if (seen.has(item.id)) return false;
      seen.add(item.id);
      if (BigInt(item.id) > newest) newest = BigInt(item.id);
      setItems((current) => new Map(current).set(item.id, item));
      return true;
    };
    // EventSource reconnects by itself (with Last-Event-ID) after a network error; once it gave up
    // (an HTTP error), a new one resumes after the newest item seen.
    const connect = () => {
      const streamParams = new URLSearchParams(params);
      streamParams.set('after', String(newest));
      source = new EventSource(`/api/v1/feed/stream?${streamParams}`);
      source.onopen = () => setStatus('live');
      source.onerror = () => {
        setStatus('reconnecting');
        if (source?.readyState === EventSource.CLOSED && !cancelled) retry = setTimeout(connect, 5_000);
      };
      source.addEventListener('feed', (event) => {
        const item = JSON.parse((event as MessageEvent<string>).data) as FeedItem;
        // A hit shown as a person's and corrected to a machine: the item moves to a new id.
        const replaces = (item.detail as { correction?: { replaces?: string } } | null)?.correction?.replaces;
        if (replaces) setItems((current) => { const next = new Map(current); next.delete(replaces); return next; });
        if (replaces && !filters.includeMachine) return;
        if (add(item)) onLiveRef.current(item);
      });
    };
    setItems(new Map());
    setLoading(true);
    setError(null);
    setStatus('connecting');
    api<{ items: FeedItem[] }>(`/api/v1/feed?${params}&limit=100`)
      .then((page) => {
        if (cancelled) return;
        for (const item of page.items) add(item);
        setLoading(false);
        connect();
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setError(err);
        setLoading(false);
      });
    return () => {
      cancelled = true;
      clearTimeout(retry);
      source?.close();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  // Ids are decimal digits without leading zeros: a longer one is larger (no BigInt per comparison).
  const sorted = useMemo(() => [...items.values()].sort((a, b) => b.id.length - a.id.length || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0)), [items]);
  return { items: sorted, status, error, loading };
}

interface Group {
  company: string;
  people: { person: string; items: FeedItem[] }[];
}

/** By company, then person, ordered by their latest activity (items come newest first). */
function group(items: FeedItem[]): Group[] {
  const groups = new Map<string, Map<string, FeedItem[]>>();
  for (const item of items) {
    const company = item.company ?? 'Other';
    const person = item.person ? (item.person.name ? `${item.person.name} <${item.person.address}>` : item.person.address) : 'Unknown person';
    const people = groups.get(company) ?? new Map<string, FeedItem[]>();
    groups.set(company, people);
    const list = people.get(person) ?? [];
    people.set(person, list);
    list.push(item);
  }
  return [...groups].map(([company, people]) => ({ company, people: [...people].map(([person, list]) => ({ person, items: list })) }));
}

function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/** Memoised: an item never changes, so a new arrival re-renders only itself, not the whole list. */
const FeedEntry = memo(function FeedEntry({ item }: { item: FeedItem }) {
  return (
    <Stack gap={2} data-feed-item={item.id} data-kind={item.kind}>
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Badge color={KIND_COLOR[item.kind] ?? 'gray'} variant="light" style={{ flexShrink: 0 }}>
          {KIND_LABEL[item.kind] ?? item.kind}
        </Badge>
        <Text size="sm" style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
          {formatTimesIn(item.summary)}
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        <time dateTime={item.occurredAt}>{formatTime(item.occurredAt)}</time>
        {item.enrollmentId ? (
          <>
            {' · '}
            <Anchor component={Link} to={`/enrollments/${item.enrollmentId}`} size="xs">
              enrollment
            </Anchor>
          </>
        ) : null}
      </Text>
      {item.machine ? (
        <Text size="xs" c="dimmed">
          Machine activity: {item.machineReasons.join(', ').replace(/_/g, ' ') || 'automated'}
        </Text>
      ) : null}
      {item.detail?.imagesProbablyBlocked ? (
        <Alert color="yellow" p="xs" title="Replied, but no open was ever seen">
          <Text size="xs">
            Their mail client probably blocks images, so opens of your emails are not seen. Include an image (a logo) so they are prompted to load images, and a link as a call to action: clicks are tracked too.
          </Text>
        </Alert>
      ) : null}
    </Stack>
  );
});

export function FeedPage() {
  const me = useMe();
  const [filters, setFilters] = useState<Filters>({ kinds: [], includeMachine: false, sequenceId: null, ownerUserId: null, hours: 'all' });
  const [notify, setNotify] = useState(() => notificationsSupported() && Notification.permission === 'granted' && localStorage.getItem(NOTIFY_KEY) === 'on');
  const sequences = useQuery({ queryKey: ['sequences', 'all-names'], queryFn: () => api<{ items: { id: string; name: string }[] }>('/api/v1/sequences?limit=100') });
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<{ users: { id: string; email: string; name: string | null }[] }>('/api/v1/users'), enabled: oversees(me) });
  const feed = useFeed(filters, (item) => {
    if (!notify || item.machine || !NOTIFY_KINDS.has(item.kind) || document.visibilityState === 'visible') return;
    new Notification('Telltale', { body: formatTimesIn(item.summary), tag: `feed-${item.id}` });
  });
  const toggleNotifications = async () => {
    if (notify) {
      localStorage.setItem(NOTIFY_KEY, 'off');
      setNotify(false);
      return;
    }
    const permission = await Notification.requestPermission();
    localStorage.setItem(NOTIFY_KEY, permission === 'granted' ? 'on' : 'off');
    setNotify(permission === 'granted');
  };
  const groups = group(feed.items);
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  return (
    <>
      <PageTitle
        right={
          <Group gap="xs">
            <Badge color={feed.status === 'live' ? 'green' : 'yellow'} variant="dot" role="status" aria-live="polite">
              {feed.status === 'live' ? 'Live' : feed.status === 'connecting' ? 'Connecting' : 'Reconnecting'}
            </Badge>
            {notificationsSupported() ? (
              <Button size="xs" variant="light" onClick={() => void toggleNotifications()}>
                {notify ? 'Turn off desktop notifications' : 'Desktop notifications'}
              </Button>
            ) : null}
          </Group>
        }
      >
        Feed
      </PageTitle>
      <Card withBorder mb="md" p="sm">
        <Group align="flex-end" wrap="wrap" gap="sm">
          <MultiSelect label="Kinds" placeholder="All kinds" data={KINDS} value={filters.kinds} onChange={(kinds) => set({ kinds })} w={{ base: '100%', sm: 260 }} clearable />
          <Select
            label="Sequence"
            placeholder="All sequences"
            data={(sequences.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={filters.sequenceId}
            onChange={(sequenceId) => set({ sequenceId })}
            clearable
            w={{ base: '100%', sm: 220 }}
          />
          {oversees(me) ? (
            <Select
              label="Rep"
              placeholder="Everyone"
              data={(users.data?.users ?? []).map((u) => ({ value: u.id, label: u.name ?? u.email }))}
              value={filters.ownerUserId}
              onChange={(ownerUserId) => set({ ownerUserId })}
              clearable
              w={{ base: '100%', sm: 220 }}
            />
          ) : null}
          <Select label="Time" data={TIME_RANGES} value={filters.hours} onChange={(hours) => set({ hours: hours ?? 'all' })} allowDeselect={false} w={{ base: '100%', sm: 160 }} />
          <Switch label="Show machine activity" checked={filters.includeMachine} onChange={(e) => set({ includeMachine: e.currentTarget.checked })} mb={6} />
        </Group>
      </Card>
      {feed.loading ? <Loading label="Loading the feed" /> : null}
      {feed.error ? <ErrorState error={feed.error} /> : null}
      {!feed.loading && !feed.error && feed.items.length === 0 ? (
        <EmptyState title="Nothing yet">
          Opens, clicks and replies appear here the moment they happen. To start: connect your mailbox in <Link to="/settings/mailboxes">Settings</Link>, then{' '}
          <Link to="/sequences/new">create a sequence</Link> and enrol someone.
        </EmptyState>
      ) : null}
      <Stack gap="md" component="section" aria-label="Feed items">
        {groups.map((g) => (
          <Card withBorder key={g.company} component="article" aria-label={g.company}>
            <Title order={3} size="h5" mb="xs">
              {g.company}
            </Title>
            <Stack gap="sm">
              {g.people.map((p) => (
                <Stack key={p.person} gap={6}>
                  <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                    {p.person}
                  </Text>
                  {p.items.map((item) => (
                    <FeedEntry key={item.id} item={item} />
                  ))}
                </Stack>
              ))}
            </Stack>
          </Card>
        ))}
      </Stack>
    </>
  );
}
