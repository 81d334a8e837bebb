import { Alert, Button, Center, Loader, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from './api';

export function Loading({ label }: { label: string }) {
  return (
    <Center p="xl">
      <Loader aria-label={label} />
    </Center>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof ApiError || error instanceof Error ? error.message : 'Something went wrong.';
  return (
    <Alert color="red" title="Could not load this" role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{message}</Text>
        {onRetry ? (
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            Try again
          </Button>
        ) : null}
      </Stack>
    </Alert>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Stack align="center" gap="xs" p="xl" ta="center">
      <Title order={3} size="h4">
        {title}
      </Title>
      <Text c="dimmed" size="sm" maw={460}>
        {children}
      </Text>
    </Stack>
  );
}

/** The message of a failed request that is not about a single field. */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  return (
    <Alert color="red" role="alert" p="xs">
      {message}
    </Alert>
  );
}

export function fieldErrors(error: unknown, prefix = ''): Record<string, string> {
  return error instanceof ApiError ? error.fieldErrors(prefix) : {};
}

export function PageTitle({ children, right }: { children: ReactNode; right?: ReactNode }) {
  return (
    <Stack gap={0} mb="md">
      <Center style={{ justifyContent: 'space-between', flexWrap: 'wrap', gap: 8 }}>
        <Title order={2}>{children}</Title>
        {right}
      </Center>
    </Stack>
  );
}

export { formatDate, formatTime, formatTimesIn } from './time';
