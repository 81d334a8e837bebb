import { Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { useMe } from '../../me';
import { ErrorState, FormError, Loading, fieldErrors } from '../../ui';

interface User {
  id: string;
  email: string;
  name: string | null;
  role: string;
  status: string;
}

const ROLES = [
  { value: 'rep', label: 'Rep' },
  { value: 'manager', label: 'Manager' },
  { value: 'admin', label: 'Admin' },
];

function InviteForm() {
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('rep');
  const invite = useMutation({
    mutationFn: () => api<User>('/api/v1/users/invitations', { method: 'POST', body: { email: email.trim(), role } }),
    onSuccess: (user) => {
      notifications.show({ color: 'green', message: `${user.email} is invited: they join when they first sign in.` });
      setEmail('');
      void client.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const errors = fieldErrors(invite.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  return (
    <Card withBorder>
      <form onSubmit={submit} aria-label="Invite a person" noValidate>
        <Stack>
          <Title order={4}>Invite a person</Title>
          <Group align="flex-start" wrap="wrap">
            <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errors.email} />
            <Select label="Role" data={ROLES} value={role} onChange={(v) => setRole(v ?? 'rep')} allowDeselect={false} error={errors.role} />
          </Group>
          {invite.error && Object.keys(errors).length === 0 ? <FormError error={invite.error} /> : null}
          <Group>
            <Button type="submit" loading={invite.isPending}>
              Invite
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export function UsersSettings() {
  const me = useMe();
  const client = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<{ users: User[] }>('/api/v1/users') });
  const update = useMutation({
    mutationFn: ({ id, change }: { id: string; change: { role?: string; status?: string } }) => api<User>(`/api/v1/users/${id}`, { method: 'PATCH', body: change }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <Stack>
      <Title order={3}>Users & roles</Title>
      <Text size="sm" c="dimmed">
        Reps see their own sequences and emails; managers and admins see the whole organisation. Only admins change settings.
      </Text>
      {users.isPending ? <Loading label="Loading users" /> : null}
      {users.error ? <ErrorState error={users.error} onRetry={() => void users.refetch()} /> : null}
      {users.data ? (
        <Table.ScrollContainer minWidth={560}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Person</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Access</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.users.map((u) => (
                <Table.Tr key={u.id}>
                  <Table.Td>
                    <Text size="sm">{u.name ?? u.email}</Text>
                    {u.name ? (
                      <Text size="xs" c="dimmed">
                        {u.email}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={`Role of ${u.email}`}
                      data={ROLES}
                      value={u.role}
                      size="xs"
                      w={120}
                      allowDeselect={false}
                      disabled={u.id === me.user?.id}
                      onChange={(role) => role && update.mutate({ id: u.id, change: { role } })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={u.status === 'active' ? 'green' : u.status === 'invited' ? 'blue' : 'gray'}>
                      {u.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {u.id !== me.user?.id ? (
                      <Button size="xs" variant="subtle" color={u.status === 'disabled' ? 'blue' : 'red'} onClick={() => update.mutate({ id: u.id, change: { status: u.status === 'disabled' ? 'active' : 'disabled' } })}>
                        {u.status === 'disabled' ? 'Enable' : 'Disable'}
                      </Button>
                    ) : (
                      <Text size="xs" c="dimmed">
                        You
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      <FormError error={update.error} />
      <InviteForm />
    </Stack>
  );
}
