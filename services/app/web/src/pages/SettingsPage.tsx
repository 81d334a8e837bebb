import { Tabs } from '@mantine/core';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { isAdmin, useMe } from '../me';
import { PageTitle } from '../ui';
import { ApiKeysSettings } from './settings/ApiKeysSettings';
import { DevicesSettings } from './settings/DevicesSettings';
import { MailboxesSettings, OAuthCallback } from './settings/MailboxesSettings';
import { OfficeRangesSettings } from './settings/OfficeRangesSettings';
import { SalesforceCallback, SalesforceSettings } from './settings/SalesforceSettings';
import { UsersSettings } from './settings/UsersSettings';

export function SettingsPage() {
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const tabs = [
    { value: 'mailboxes', label: 'Mailboxes' },
    { value: 'devices', label: 'My devices' },
    ...(isAdmin(me)
      ? [
          { value: 'office-ranges', label: 'Office networks' },
          { value: 'users', label: 'Users & roles' },
          { value: 'api-keys', label: 'API keys' },
          { value: 'salesforce', label: 'Salesforce' },
        ]
      : []),
  ];
  const current = location.pathname.split('/')[2] ?? 'mailboxes';
  return (
    <>
      <PageTitle>Settings</PageTitle>
      <Tabs value={current} onChange={(value) => value && void navigate(`/settings/${value}`)} mb="md" keepMounted={false}>
        <Tabs.List style={{ flexWrap: 'wrap' }}>
          {tabs.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<Navigate to="mailboxes" replace />} />
        <Route path="mailboxes" element={<MailboxesSettings />} />
        <Route path="mailboxes/oauth/:provider/callback" element={<OAuthCallback />} />
        <Route path="devices" element={<DevicesSettings />} />
        {isAdmin(me) ? (
          <>
            <Route path="office-ranges" element={<OfficeRangesSettings />} />
            <Route path="users" element={<UsersSettings />} />
            <Route path="api-keys" element={<ApiKeysSettings />} />
            <Route path="salesforce" element={<SalesforceSettings />} />
            <Route path="salesforce/callback" element={<SalesforceCallback />} />
          </>
        ) : null}
        <Route path="*" element={<Navigate to="mailboxes" replace />} />
      </Routes>
    </>
  );
}
