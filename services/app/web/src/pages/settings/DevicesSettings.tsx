import { Badge, Button, Card, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api';
import { useMe } from '../../me';
import { EmptyState, ErrorState, FormError, Loading, formatTime } from '../../ui';

interface Device {
  deviceId: string;
  userAgent: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** A short name for a browser from its user agent. */
function browserName(ua: string | null): string {
  if (!ua) return 'Unknown browser';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}

export function DevicesSettings() {
  const me = useMe();
  const userId = me.user?.id;
  const client = useQueryClient();
  const devices = useQuery({
    queryKey: ['devices', userId],
    queryFn: () => api<{ devices: Device[] }>(`/api/v1/users/${userId}/devices`),
    enabled: Boolean(userId),
  });
  const register = useMutation({
    mutationFn: () => api<{ registerPath: string }>('/api/v1/device-registrations', { method: 'POST', body: {} }),
    onSuccess: ({ registerPath }) => {
      const base = document.querySelector<HTMLMetaElement>('meta[name="telltale-tracking-url"]')?.content || window.location.origin;
      const url = new URL(registerPath, base);
      url.searchParams.set('return', `${window.location.origin}/settings/devices?registered=1`);
      // The tracking domain sets its own cookie: the browser must visit it.
      window.location.assign(url.toString());
    },
  });
  const revoke = useMutation({
    mutationFn: (deviceId: string) => api(`/api/v1/users/${userId}/devices/${deviceId}`, { method: 'DELETE' }),
    onSuccess: () => {
      notifications.show({ message: 'The device is revoked: its views count again.' });
      void client.invalidateQueries({ queryKey: ['devices', userId] });
    },
  });
  const live = devices.data?.devices.filter((d) => !d.revokedAt) ?? [];
  const registered = new URLSearchParams(window.location.search).has('registered');
  return (
    <Stack>
      <Title order={3}>My devices</Title>
      <Card withBorder>
        <Stack gap="xs">
          <Text size="sm">
            When you open your own sent emails, Telltale must not count it as the prospect opening them. Register each browser you read mail in.
          </Text>
          {registered ? (
            <Text size="sm" c="teal.9" role="status">
              This browser is registered.
            </Text>
          ) : null}
          <Group>
            <Button onClick={() => register.mutate()} loading={register.isPending}>
              This is my device
            </Button>
          </Group>
          <FormError error={register.error} />
        </Stack>
      </Card>
      {devices.isPending ? <Loading label="Loading devices" /> : null}
      {devices.error ? <ErrorState error={devices.error} onRetry={() => void devices.refetch()} /> : null}
      {devices.data && live.length === 0 ? <EmptyState title="No registered device">Click “This is my device” in each browser you read your mail in.</EmptyState> : null}
      {live.length > 0 ? (
        <Table.ScrollContainer minWidth={420}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Browser</Table.Th>
                <Table.Th>Registered</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {live.map((d) => (
                <Table.Tr key={d.deviceId}>
                  <Table.Td>
                    {browserName(d.userAgent)} <Badge variant="light">active</Badge>
                  </Table.Td>
                  <Table.Td>{formatTime(d.createdAt)}</Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="subtle" color="red" onClick={() => revoke.mutate(d.deviceId)} loading={revoke.isPending && revoke.variables === d.deviceId}>
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
    </Stack>
  );
}
