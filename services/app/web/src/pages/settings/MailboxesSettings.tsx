import { Badge, Button, Card, Checkbox, Group, NumberInput, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { api, type Mailbox } from '../../api';
import { EmptyState, ErrorState, FormError, Loading, fieldErrors } from '../../ui';
import { MailboxFolderPicker, followedText } from './MailboxFolders';

const STATE_COLOR: Record<string, string> = { connected: 'green', syncing: 'green', connecting: 'blue', degraded: 'yellow', needs_reconnect: 'orange', disconnected: 'gray' };

export const useMailboxes = () => useQuery({ queryKey: ['mailboxes'], queryFn: () => api<Mailbox[]>('/api/v1/mailboxes') });

interface ImapForm {
  emailAddress: string;
  username: string;
  password: string;
  imapHost: string;
  imapPort: number;
  imapSecure: boolean;
  smtpHost: string;
  smtpPort: number;
  smtpSecure: boolean;
}

const EMPTY: ImapForm = { emailAddress: '', username: '', password: '', imapHost: '', imapPort: 993, imapSecure: true, smtpHost: '', smtpPort: 465, smtpSecure: true };

function ConnectImapForm({ initial, onDone }: { initial?: Partial<ImapForm>; onDone: () => void }) {
  const [form, setForm] = useState<ImapForm>({ ...EMPTY, ...initial });
  const client = useQueryClient();
  const connect = useMutation({
    mutationFn: () =>
      api<Mailbox>('/api/v1/mailboxes', {
        method: 'POST',
        body: {
          provider: 'imap',
          emailAddress: form.emailAddress.trim(),
          username: form.username.trim() || form.emailAddress.trim(),
          password: form.password,
          imap: { host: form.imapHost.trim(), port: form.imapPort, secure: form.imapSecure },
          smtp: { host: form.smtpHost.trim(), port: form.smtpPort, secure: form.smtpSecure },
        },
      }),
    onSuccess: (mailbox) => {
      notifications.show({ color: 'green', message: `${mailbox.emailAddress} is connected.` });
      void client.invalidateQueries({ queryKey: ['mailboxes'] });
      onDone();
    },
  });
  const errors = fieldErrors(connect.error);
  const set = <K extends keyof ImapForm>(key: K, value: ImapForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    connect.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="Connect an IMAP/SMTP mailbox" noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Email address" type="email" required value={form.emailAddress} onChange={(e) => set('emailAddress', e.currentTarget.value)} error={errors.emailAddress} />
          <TextInput label="Username" description="Usually the email address" value={form.username} onChange={(e) => set('username', e.currentTarget.value)} error={errors.username} />
          <PasswordInput label="Password" required value={form.password} onChange={(e) => set('password', e.currentTarget.value)} error={errors.password} />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput label="IMAP server" required value={form.imapHost} onChange={(e) => set('imapHost', e.currentTarget.value)} error={errors['imap.host'] ?? errors.imap} />
          <NumberInput label="IMAP port" min={1} max={65535} value={form.imapPort} onChange={(v) => set('imapPort', Number(v))} error={errors['imap.port']} />
          <Checkbox label="IMAP uses TLS" checked={form.imapSecure} onChange={(e) => set('imapSecure', e.currentTarget.checked)} mt={{ sm: 30 }} />
          <TextInput label="SMTP server" required value={form.smtpHost} onChange={(e) => set('smtpHost', e.currentTarget.value)} error={errors['smtp.host'] ?? errors.smtp} />
          <NumberInput label="SMTP port" min={1} max={65535} value={form.smtpPort} onChange={(v) => set('smtpPort', Number(v))} error={errors['smtp.port']} />
          <Checkbox label="SMTP uses TLS" checked={form.smtpSecure} onChange={(e) => set('smtpSecure', e.currentTarget.checked)} mt={{ sm: 30 }} />
        </SimpleGrid>
        {connect.error && Object.keys(errors).length === 0 ? <FormError error={connect.error} /> : null}
        <Group>
          <Button type="submit" loading={connect.isPending}>
            Connect mailbox
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function OAuthButtons() {
  const start = useMutation({
    mutationFn: (provider: 'google' | 'microsoft') => api<{ authorizationUrl: string }>(`/api/v1/mailboxes/oauth/${provider}`, { method: 'POST', body: {} }),
    onSuccess: ({ authorizationUrl }) => window.location.assign(authorizationUrl),
  });
  return (
    <Stack gap="xs">
      <Group>
        <Button variant="default" onClick={() => start.mutate('google')} loading={start.isPending && start.variables === 'google'}>
          Connect Gmail
        </Button>
        <Button variant="default" onClick={() => start.mutate('microsoft')} loading={start.isPending && start.variables === 'microsoft'}>
          Connect Microsoft 365
        </Button>
      </Group>
      <FormError error={start.error} />
    </Stack>
  );
}

function MailboxCard({ mailbox }: { mailbox: Mailbox }) {
  const client = useQueryClient();
  const [reconnecting, setReconnecting] = useState(false);
  const [choosingFolders, setChoosingFolders] = useState(false);
  const disconnect = useMutation({
    mutationFn: () => api<Mailbox>(`/api/v1/mailboxes/${mailbox.id}`, { method: 'DELETE' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['mailboxes'] }),
  });
  const live = mailbox.state !== 'disconnected';
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs">
            <Text fw={600}>{mailbox.emailAddress}</Text>
            <Badge color={STATE_COLOR[mailbox.state] ?? 'gray'} variant="light">
              {mailbox.state.replace('_', ' ')}
            </Badge>
            <Badge variant="outline" color="gray">
              {mailbox.provider}
            </Badge>
          </Group>
          <Group gap="xs">
            {mailbox.state === 'needs_reconnect' || mailbox.state === 'disconnected' ? (
              <Button size="xs" variant="light" onClick={() => setReconnecting((r) => !r)}>
                Reconnect
              </Button>
            ) : null}
            {live ? (
              <Button size="xs" variant="subtle" color="red" loading={disconnect.isPending} onClick={() => disconnect.mutate()}>
                Disconnect
              </Button>
            ) : null}
          </Group>
        </Group>
        {mailbox.replyTracking ? (
          <Text size="sm" c={live && mailbox.state !== 'needs_reconnect' && mailbox.state !== 'degraded' ? 'dimmed' : 'red.9'}>
            {mailbox.replyTracking}
          </Text>
        ) : null}
        {live && mailbox.provider === 'imap' ? (
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <Text size="sm" data-testid="followed-folders">
              <b>Folders:</b> {followedText(mailbox.folders)}
            </Text>
            {!choosingFolders ? (
              <Button size="compact-xs" variant="subtle" onClick={() => setChoosingFolders(true)} style={{ flexShrink: 0 }}>
                Change
              </Button>
            ) : null}
          </Group>
        ) : null}
        {choosingFolders ? <MailboxFolderPicker mailbox={mailbox} onDone={() => setChoosingFolders(false)} /> : null}
        <FormError error={disconnect.error} />
        {reconnecting && mailbox.provider === 'imap' ? (
          <ConnectImapForm
            initial={{ emailAddress: mailbox.emailAddress, imapHost: mailbox.imap?.host ?? '', imapPort: mailbox.imap?.port ?? 993, imapSecure: mailbox.imap?.secure ?? true }}
            onDone={() => setReconnecting(false)}
          />
        ) : null}
        {reconnecting && mailbox.provider !== 'imap' ? <OAuthButtons /> : null}
      </Stack>
    </Card>
  );
}

export function MailboxesSettings() {
  const mailboxes = useMailboxes();
  const [adding, setAdding] = useState(false);
  return (
    <Stack>
      <Title order={3}>Mailboxes</Title>
      <Text size="sm" c="dimmed">
        Telltale sends your sequences from these mailboxes and watches them for replies, so a reply stops the campaign.
      </Text>
      {mailboxes.isPending ? <Loading label="Loading mailboxes" /> : null}
      {mailboxes.error ? <ErrorState error={mailboxes.error} onRetry={() => void mailboxes.refetch()} /> : null}
      {mailboxes.data?.length === 0 ? <EmptyState title="No mailbox yet">Connect the mailbox you send from first: Gmail, Microsoft 365 or any IMAP/SMTP server.</EmptyState> : null}
      {mailboxes.data?.map((m) => <MailboxCard key={m.id} mailbox={m} />)}
      <Card withBorder>
        <Stack>
          <Title order={4}>Connect a mailbox</Title>
          <OAuthButtons />
          {adding ? (
            <ConnectImapForm onDone={() => setAdding(false)} />
          ) : (
            <Group>
              <Button variant="light" onClick={() => setAdding(true)}>
                Connect IMAP/SMTP
              </Button>
            </Group>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}

/** Where Google or Microsoft sends the browser back: hands the code to mailbox-sync, then back to the list. */
export function OAuthCallback() {
  const { provider } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const sent = useRef(false);
  const complete = useMutation({
    mutationFn: () => api<Mailbox>(`/api/v1/mailboxes/oauth/${provider}/callback?${params.toString()}`),
    onSuccess: (mailbox) => {
      notifications.show({ color: 'green', message: `${mailbox.emailAddress} is connected.` });
      void client.invalidateQueries({ queryKey: ['mailboxes'] });
      void navigate('/settings/mailboxes', { replace: true });
    },
  });
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    complete.mutate();
  }, [complete]);
  return complete.error ? <ErrorState error={complete.error} /> : <Loading label="Connecting the mailbox" />;
}
