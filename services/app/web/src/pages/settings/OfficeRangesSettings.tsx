import { ActionIcon, Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { ErrorState, FormError, Loading, fieldErrors } from '../../ui';

interface Range {
  cidr: string;
  name: string | null;
}

export function OfficeRangesSettings() {
  const ranges = useQuery({ queryKey: ['office-ranges'], queryFn: () => api<{ ranges: Range[] }>('/api/v1/office-ranges') });
  const [rows, setRows] = useState<Range[]>([]);
  useEffect(() => {
    if (ranges.data) setRows(ranges.data.ranges);
  }, [ranges.data]);
  const save = useMutation({
    mutationFn: () => api<{ ranges: Range[] }>('/api/v1/office-ranges', { method: 'PUT', body: { ranges: rows.map((r) => ({ cidr: r.cidr.trim(), name: r.name?.trim() || null })) } }),
    onSuccess: () => notifications.show({ color: 'green', message: 'Office networks saved.' }),
  });
  const errors = fieldErrors(save.error, 'ranges.');
  const setRow = (i: number, patch: Partial<Range>) => setRows((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  if (ranges.isPending) return <Loading label="Loading office networks" />;
  if (ranges.error) return <ErrorState error={ranges.error} onRetry={() => void ranges.refetch()} />;
  return (
    <Stack>
      <Title order={3}>Office networks</Title>
      <Text size="sm" c="dimmed">
        Opens and clicks from these networks (your offices’ public addresses) are your colleagues, not prospects. None yet? Add your office’s address range, e.g. 203.0.113.0/24.
      </Text>
      {rows.map((row, i) => (
        <Group key={i} align="flex-start" wrap="wrap">
          <TextInput label="Address range (CIDR)" value={row.cidr} onChange={(e) => setRow(i, { cidr: e.currentTarget.value })} error={errors[`${i}.cidr`]} />
          <TextInput label="Name" value={row.name ?? ''} onChange={(e) => setRow(i, { name: e.currentTarget.value })} error={errors[`${i}.name`]} />
          <ActionIcon variant="subtle" color="red" mt={28} aria-label={`Remove range ${row.cidr || i + 1}`} onClick={() => setRows((all) => all.filter((_, j) => j !== i))}>
            ×
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button variant="light" onClick={() => setRows((all) => [...all, { cidr: '', name: null }])}>
          Add a range
        </Button>
        <Button onClick={() => save.mutate()} loading={save.isPending}>
          Save
        </Button>
      </Group>
      {save.error && Object.keys(errors).length === 0 ? <FormError error={save.error} /> : null}
    </Stack>
  );
}
