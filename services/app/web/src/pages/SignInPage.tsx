import { Button, Center, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';

/** Not signed in: the work address picks the organisation's OpenID provider. */
export function SignInPage() {
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
      setError('Enter your work email address.');
      return;
    }
    const returnTo = window.location.pathname + window.location.search;
    window.location.assign(`/auth/sign-in?email=${encodeURIComponent(email.trim())}&returnTo=${encodeURIComponent(returnTo)}`);
  };
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              Sign in to Telltale
            </Title>
            <Text size="sm" c="dimmed">
              Use your work address: you continue at your organisation’s sign-in page.
            </Text>
            <TextInput label="Work email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={error} required autoFocus />
            <Button type="submit">Continue</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
