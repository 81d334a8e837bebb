import { Alert, Button, Card, Code, Group, MultiSelect, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { EmptyState, ErrorState, FormError, Loading, fieldErrors, formatTime } from '../../ui';

interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  role: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const SCOPES = ['read', 'write', 'sequences:write', 'enrollments:write', 'emails:read', 'engagement:read', 'mailboxes:read'];

function CreateKeyForm() {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read']);
  const [role, setRole] = useState('manager');
  const create = useMutation({
    mutationFn: () => api<ApiKey & { key: string }>('/api/v1/api-keys', { method: 'POST', body: { name: name.trim(), scopes, role } }),
    onSuccess: () => {
      setName('');
      void client.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Card withBorder>
      <form onSubmit={submit} aria-label="Create an API key" noValidate>
        <Stack>
          <Title order={4}>Create an API key</Title>
          <Group align="flex-start" wrap="wrap">
            <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} />
            <MultiSelect label="Scopes" data={SCOPES} value={scopes} onChange={setScopes} error={errors.scopes} w={280} />
            <Select label="Acts as" data={['rep', 'manager', 'admin']} value={role} onChange={(v) => setRole(v ?? 'manager')} allowDeselect={false} error={errors.role} />
          </Group>
          {create.error && Object.keys(errors).length === 0 ? <FormError error={create.error} /> : null}
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create key
            </Button>
          </Group>
          {create.data ? (
            <Alert color="yellow" title="Copy this key now: it is shown only once" role="status">
              <Code block style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
                {create.data.key}
              </Code>
            </Alert>
          ) : null}
        </Stack>
      </form>
    </Card>
  );
}

export function ApiKeysSettings() {
  const client = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => api<{ apiKeys: ApiKey[] }>('/api/v1/api-keys') });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/v1/api-keys/${id}`, { method: 'DELETE' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  const live = keys.data?.apiKeys.filter((k) => !k.revokedAt) ?? [];
  return (
    <Stack>
      <Title order={3}>API keys</Title>
      <Text size="sm" c="dimmed">
        For scripts and integrations calling the Telltale API with <Code>Authorization: Bearer</Code>.
      </Text>
      {keys.isPending ? <Loading label="Loading API keys" /> : null}
      {keys.error ? <ErrorState error={keys.error} onRetry={() => void keys.refetch()} /> : null}
      {keys.data && live.length === 0 ? <EmptyState title="No API key">Create one below when a script needs to call Telltale.</EmptyState> : null}
      {live.length > 0 ? (
        <Table.ScrollContainer minWidth={560}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Scopes</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Revoke</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {live.map((k) => (
                <Table.Tr key={k.id}>
                  <Table.Td>
                    {k.name} ({k.role})
                  </Table.Td>
                  <Table.Td>{k.scopes.join(', ')}</Table.Td>
                  <Table.Td>{formatTime(k.lastUsedAt)}</Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="subtle" color="red" aria-label={`Revoke ${k.name}`} onClick={() => revoke.mutate(k.id)}>
                      Revoke
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      <FormError error={revoke.error} />
      <CreateKeyForm />
    </Stack>
  );
}
