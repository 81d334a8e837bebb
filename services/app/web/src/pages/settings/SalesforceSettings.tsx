import { Accordion, Alert, Badge, Button, Card, Group, List, SegmentedControl, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api';
import { ErrorState, FormError, Loading, fieldErrors, formatTime } from '../../ui';

/** The organisation's Salesforce connection (admins): connect, status, disconnect, pre-flight. */

type Environment = 'production' | 'sandbox' | 'my_domain';

interface PreflightProblem {
  object: string;
  field: string | null;
  kind: string;
  message: string;
}

interface PreflightReport {
  ok: boolean;
  checkedAt: string;
  username: string | null;
  objects: { object: string; why: string; ok: boolean }[];
  problems: PreflightProblem[];
}

interface SalesforceConnection {
  state: 'not_connected' | 'connected' | 'needs_reconnect' | 'disconnected';
  flow: 'web_server' | 'jwt_bearer' | null;
  instanceUrl: string | null;
  salesforceOrgId: string | null;
  username: string | null;
  lastError: string | null;
  since: string | null;
  usesDeprecatedIntegrationUser: boolean;
  preflight: PreflightReport | null;
}

const STATE: Record<SalesforceConnection['state'], { label: string; color: string }> = {
  not_connected: { label: 'Not connected', color: 'gray' },
  connected: { label: 'Connected', color: 'green' },
  needs_reconnect: { label: 'Needs reconnecting', color: 'orange' },
  disconnected: { label: 'Disconnected', color: 'gray' },
};

const ENVIRONMENTS = [
  { value: 'production', label: 'Production' },
  { value: 'sandbox', label: 'Sandbox' },
  { value: 'my_domain', label: 'My Domain' },
];

const useConnection = () => useQuery({ queryKey: ['salesforce'], queryFn: () => api<SalesforceConnection>('/api/v1/salesforce/connection') });

function loginHost(environment: Environment, myDomain: string) {
  return environment === 'my_domain' ? { environment, myDomain: myDomain.trim() } : { environment };
}

function LoginHostPicker({ environment, myDomain, onEnvironment, onMyDomain, error }: { environment: Environment; myDomain: string; onEnvironment: (e: Environment) => void; onMyDomain: (v: string) => void; error?: string }) {
  return (
    <Stack gap="xs">
      <SegmentedControl aria-label="Salesforce login" data={ENVIRONMENTS} value={environment} onChange={(v) => onEnvironment(v as Environment)} />
      {environment === 'my_domain' ? (
        <TextInput label="My Domain" description="Setup → My Domain, e.g. acme.my.salesforce.com" placeholder="acme.my.salesforce.com" value={myDomain} onChange={(e) => onMyDomain(e.currentTarget.value)} error={error} />
      ) : null}
    </Stack>
  );
}

function ConnectCard({ reconnect }: { reconnect: boolean }) {
  const [environment, setEnvironment] = useState<Environment>('production');
  const [myDomain, setMyDomain] = useState('');
  const start = useMutation({
    mutationFn: () => api<{ authorizationUrl: string }>('/api/v1/salesforce/connection/oauth', { method: 'POST', body: loginHost(environment, myDomain) }),
    onSuccess: ({ authorizationUrl }) => window.location.assign(authorizationUrl),
  });
  const errors = fieldErrors(start.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };
  return (
    <Card withBorder>
      <form onSubmit={submit} aria-label="Connect Salesforce" noValidate>
        <Stack>
          <Title order={4}>{reconnect ? 'Reconnect Salesforce' : 'Connect Salesforce'}</Title>
          <Text size="sm" c="dimmed">
            You sign in to Salesforce and allow Telltale. Activities are logged as the Salesforce user you sign in as.
          </Text>
          <LoginHostPicker environment={environment} myDomain={myDomain} onEnvironment={setEnvironment} onMyDomain={setMyDomain} error={errors.myDomain} />
          {start.error && !errors.myDomain ? <FormError error={start.error} /> : null}
          <Group>
            <Button type="submit" loading={start.isPending}>
              {reconnect ? 'Reconnect with Salesforce' : 'Connect with Salesforce'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function JwtForm() {
  const client = useQueryClient();
  const [environment, setEnvironment] = useState<Environment>('production');
  const [myDomain, setMyDomain] = useState('');
  const [consumerKey, setConsumerKey] = useState('');
  const [username, setUsername] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const connect = useMutation({
    mutationFn: () =>
      api<SalesforceConnection>('/api/v1/salesforce/connection/jwt', {
        method: 'POST',
        body: { ...loginHost(environment, myDomain), consumerKey: consumerKey.trim(), username: username.trim(), privateKey },
      }),
    onSuccess: (connection) => {
      setPrivateKey('');
      notifications.show({ color: 'green', message: `Salesforce is connected as ${connection.username ?? 'the integration user'}.` });
      client.setQueryData(['salesforce'], connection);
    },
  });
  const errors = fieldErrors(connect.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    connect.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="Connect with a certificate (JWT bearer)" noValidate>
      <Stack>
        <Text size="sm" c="dimmed">
          For your own connected app with "Use digital signatures": the user must be pre-authorized for the app. The private key is stored encrypted and never shown again.
        </Text>
        <LoginHostPicker environment={environment} myDomain={myDomain} onEnvironment={setEnvironment} onMyDomain={setMyDomain} error={errors.myDomain} />
        <TextInput label="Consumer key" required value={consumerKey} onChange={(e) => setConsumerKey(e.currentTarget.value)} error={errors.consumerKey} />
        <TextInput label="Salesforce username" required value={username} onChange={(e) => setUsername(e.currentTarget.value)} error={errors.username} />
        <Textarea label="Private key (PEM)" required autosize minRows={4} maxRows={8} placeholder="-----BEGIN PRIVATE KEY-----" value={privateKey} onChange={(e) => setPrivateKey(e.currentTarget.value)} error={errors.privateKey} styles={{ input: { fontFamily: 'monospace' } }} />
        {connect.error && Object.keys(errors).length === 0 ? <FormError error={connect.error} /> : null}
        <Group>
          <Button type="submit" variant="light" loading={connect.isPending}>
            Connect with certificate
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function PreflightResults({ report }: { report: PreflightReport }) {
  return (
    <Stack gap="xs" aria-label="Pre-flight results">
      {report.ok ? (
        <Alert color="green" title="Ready" role="status">
          Every field Telltale writes exists with the right type, and {report.username ?? 'the integration user'} can edit it.
        </Alert>
      ) : (
        <Alert color="orange" title={`${report.problems.length} thing${report.problems.length === 1 ? '' : 's'} to fix in Salesforce`} role="status">
          <List size="sm" spacing={4}>
            {report.problems.map((p) => (
              <List.Item key={`${p.object}.${p.field ?? ''}.${p.kind}`}>{p.message}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Text size="xs" c="dimmed">
        Checked {formatTime(report.checkedAt)}: {report.objects.map((o) => `${o.object} ${o.ok ? '✓' : '✗'}`).join(' · ')}
      </Text>
    </Stack>
  );
}

function StatusCard({ connection }: { connection: SalesforceConnection }) {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const disconnect = useMutation({
    mutationFn: () => api<SalesforceConnection>('/api/v1/salesforce/connection', { method: 'DELETE' }),
    onSuccess: (c) => {
      setConfirming(false);
      client.setQueryData(['salesforce'], c);
    },
  });
  const preflight = useMutation({
    mutationFn: () => api<PreflightReport>('/api/v1/salesforce/connection/preflight', { method: 'POST' }),
    // A refused grant found by the pre-flight changes the connection's state too.
    onSettled: () => void client.invalidateQueries({ queryKey: ['salesforce'] }),
  });
  const state = STATE[connection.state];
  const report = preflight.data ?? connection.preflight;
  const live = connection.state === 'connected' || connection.state === 'needs_reconnect';
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between">
          <Title order={4}>Salesforce</Title>
          <Badge color={state.color} variant="light" aria-label={`Salesforce: ${state.label}`}>
            {state.label}
          </Badge>
        </Group>
        {connection.state === 'needs_reconnect' ? (
          <Alert color="orange" title="Activities are waiting" role="alert">
            {connection.lastError ?? 'Salesforce refused the stored grant.'} Nothing is lost: activities are logged once you reconnect.
          </Alert>
        ) : null}
        {connection.state === 'disconnected' || (connection.state === 'not_connected' && !connection.usesDeprecatedIntegrationUser) ? (
          <Text size="sm">Telltale is not writing to Salesforce: activities wait, and are logged once Salesforce is connected.</Text>
        ) : null}
        {connection.usesDeprecatedIntegrationUser ? (
          <Alert color="yellow" title="Using the shared integration user">
            Activities go through the integration user this deployment was configured with (deprecated). Connect your own Salesforce below.
          </Alert>
        ) : null}
        {live ? (
          <Table variant="vertical" withTableBorder>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={160}>Salesforce user</Table.Th>
                <Table.Td>{connection.username}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Org ID</Table.Th>
                <Table.Td>{connection.salesforceOrgId}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Instance</Table.Th>
                <Table.Td>{connection.instanceUrl}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>How</Table.Th>
                <Table.Td>{connection.flow === 'jwt_bearer' ? 'Certificate (JWT bearer)' : 'Signed in (OAuth)'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Since</Table.Th>
                <Table.Td>{connection.since ? formatTime(connection.since) : '—'}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        ) : null}
        {live ? (
          <Group>
            <Button variant="light" onClick={() => preflight.mutate()} loading={preflight.isPending} disabled={connection.state !== 'connected'}>
              Run pre-flight
            </Button>
            {confirming ? (
              <>
                <Button color="red" onClick={() => disconnect.mutate()} loading={disconnect.isPending}>
                  Yes, disconnect
                </Button>
                <Button variant="subtle" onClick={() => setConfirming(false)}>
                  Keep connected
                </Button>
              </>
            ) : (
              <Button variant="subtle" color="red" onClick={() => setConfirming(true)}>
                Disconnect
              </Button>
            )}
          </Group>
        ) : null}
        {preflight.error ? <FormError error={preflight.error} /> : null}
        {disconnect.error ? <FormError error={disconnect.error} /> : null}
        {report && connection.state === 'connected' ? <PreflightResults report={report} /> : null}
      </Stack>
    </Card>
  );
}

export function SalesforceSettings() {
  const connection = useConnection();
  if (connection.isPending) return <Loading label="Loading the Salesforce connection" />;
  if (connection.error) return <ErrorState error={connection.error} onRetry={() => void connection.refetch()} />;
  const c = connection.data;
  return (
    <Stack>
      <Title order={3}>Salesforce</Title>
      <Text size="sm" c="dimmed">
        Telltale logs sent emails and replies as Tasks in your organisation's Salesforce. Install the Telltale fields first (deploy/salesforce), then connect and run the pre-flight.
      </Text>
      <StatusCard connection={c} />
      {c.state !== 'connected' ? <ConnectCard reconnect={c.state === 'needs_reconnect'} /> : null}
      <Accordion variant="contained">
        <Accordion.Item value="jwt">
          <Accordion.Control>Connect with a certificate instead (JWT bearer)</Accordion.Control>
          <Accordion.Panel>
            <JwtForm />
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Stack>
  );
}

/** Salesforce sends the admin back here with ?code&state (or ?error): finish connecting, then show the status. */
export function SalesforceCallback() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const sent = useRef(false);
  const complete = useMutation({
    mutationFn: () => api<SalesforceConnection>(`/api/v1/salesforce/connection/oauth/callback?${params.toString()}`),
    onSuccess: (connection) => {
      notifications.show({ color: 'green', message: `Salesforce is connected as ${connection.username ?? 'you'}.` });
      client.setQueryData(['salesforce'], connection);
      void navigate('/settings/salesforce', { replace: true });
    },
  });
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    complete.mutate();
  }, [complete]);
  return complete.error ? <ErrorState error={complete.error} /> : <Loading label="Connecting Salesforce" />;
}

