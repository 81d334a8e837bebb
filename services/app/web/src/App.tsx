import { AppShell, Burger, Button, Center, Group, Loader, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Suspense, lazy } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router';
import { ApiError, api, setCsrfToken, type Me } from './api';
import { MeContext } from './me';
import { ContentPage } from './pages/ContentPage';
import { EmailsPage } from './pages/EmailsPage';
import { EnrollmentPage } from './pages/EnrollmentPage';
import { FeedPage } from './pages/FeedPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SequencePage, SequencesPage } from './pages/SequencesPages';
import { SettingsPage } from './pages/SettingsPage';
import { SignInPage } from './pages/SignInPage';
import { ErrorState, Loading } from './ui';

// The rich-text editor is most of the bundle: loaded when a sequence is written, not on first load.
const SequenceNewPage = lazy(() => import('./pages/SequenceNewPage').then((m) => ({ default: m.SequenceNewPage })));

const NAV = [
  { to: '/', label: 'Feed', exact: true },
  { to: '/sequences', label: 'Sequences' },
  { to: '/emails', label: 'Emails' },
  { to: '/content', label: 'Content' },
  { to: '/settings', label: 'Settings' },
];

async function signOut(): Promise<void> {
  const result = await api<{ endSessionUrl: string | null }>('/auth/sign-out', { method: 'POST' }).catch(() => ({ endSessionUrl: null }));
  window.location.assign(result.endSessionUrl ?? '/');
}

export function App() {
  const me = useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      const value = await api<Me>('/api/v1/me');
      setCsrfToken(value.csrfToken);
      return value;
    },
  });
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();

  if (me.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading Telltale" />
      </Center>
    );
  }
  if (me.error instanceof ApiError && me.error.status === 401) return <SignInPage />;
  if (me.error) {
    return (
      <Center h="100vh" p="md">
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      </Center>
    );
  }
  const active = (to: string, exact?: boolean) => (exact ? location.pathname === to : location.pathname.startsWith(to));

  return (
    <MeContext value={me.data}>
      <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
              <Title order={1} size="h3">
                Telltale
              </Title>
            </Group>
            <Group gap="sm" wrap="nowrap">
              <Text size="sm" c="dimmed" visibleFrom="sm">
                {me.data.user?.email} · {me.data.user?.role}
              </Text>
              <Button variant="subtle" size="compact-sm" onClick={() => void signOut()}>
                Sign out
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="sm" aria-label="Main">
          {NAV.map((item) => (
            <NavLink key={item.to} component={Link} to={item.to} label={item.label} active={active(item.to, item.exact)} onClick={close} />
          ))}
        </AppShell.Navbar>
        <AppShell.Main>
          <Suspense fallback={<Loading label="Loading" />}>
            <Routes>
              <Route path="/" element={<FeedPage />} />
              <Route path="/sequences" element={<SequencesPage />} />
              <Route path="/sequences/new" element={<SequenceNewPage />} />
              <Route path="/sequences/:id" element={<SequencePage />} />
              <Route path="/enrollments/:id" element={<EnrollmentPage />} />
              <Route path="/emails" element={<EmailsPage />} />
              <Route path="/content" element={<ContentPage />} />
              <Route path="/settings/*" element={<SettingsPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Suspense>
        </AppShell.Main>
      </AppShell>
    </MeContext>
  );
}
