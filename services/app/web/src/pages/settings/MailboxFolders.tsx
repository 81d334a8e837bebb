import { Badge, Button, Checkbox, Group, Radio, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, type Mailbox } from '../../api';
import { ErrorState, FormError, Loading } from '../../ui';

interface FolderView {
  path: string;
  name: string;
  role: string | null;
  selectable: boolean;
  followedByDefault: boolean;
  followed: boolean;
}

interface FoldersView {
  selection: 'all' | string[];
  choosable: boolean;
  folders: FolderView[];
  truncated: boolean;
  note: string | null;
}

const ROLE_LABEL: Record<string, string> = { inbox: 'Inbox', sent: 'Sent', drafts: 'Drafts', trash: 'Trash', junk: 'Junk', archive: 'Archive', all: 'All mail', flagged: 'Flagged', important: 'Important' };

const isInbox = (path: string) => path.toUpperCase() === 'INBOX';

/** What a mailbox follows, in words. */
export function followedText(folders: Mailbox['folders']): string {
  if (!folders || folders === 'all') return 'All folders a reply can land in (every folder but Sent, Drafts, Trash and Junk, new ones included)';
  return `Only ${folders.length === 1 ? 'this folder' : `these ${folders.length} folders`}: ${folders.join(', ')}`;
}

/** Settings → Mailboxes: all folders (recommended) or the ones picked, saved without reconnecting. */
export function MailboxFolderPicker({ mailbox, onDone }: { mailbox: Mailbox; onDone: () => void }) {
  const client = useQueryClient();
  const listed = useQuery({ queryKey: ['mailbox-folders', mailbox.id], queryFn: () => api<FoldersView>(`/api/v1/mailboxes/${mailbox.id}/folders`), staleTime: 0 });
  const [mode, setMode] = useState<'all' | 'pick' | null>(null);
  const [picked, setPicked] = useState<string[] | null>(null);
  const save = useMutation({
    mutationFn: (folders: 'all' | string[]) => api<Mailbox>(`/api/v1/mailboxes/${mailbox.id}`, { method: 'PATCH', body: { folders } }),
    onSuccess: (saved) => {
      client.setQueryData<Mailbox[]>(['mailboxes'], (all) => all?.map((m) => (m.id === saved.id ? saved : m)));
      void client.invalidateQueries({ queryKey: ['mailbox-folders', mailbox.id] });
      notifications.show({ color: 'green', message: `Folders saved. ${followedText(saved.folders)}.` });
      onDone();
    },
  });
  if (listed.isPending) return <Loading label="Reading the mailbox’s folders" />;
  if (listed.error) return <ErrorState error={listed.error} onRetry={() => void listed.refetch()} />;
  const view = listed.data;
  if (!view.choosable) {
    return (
      <Text size="sm" role="status">
        {view.note}
      </Text>
    );
  }
  const currentMode = mode ?? (view.selection === 'all' ? 'all' : 'pick');
  const selectable = view.folders.filter((f) => f.selectable);
  const chosen = picked ?? selectable.filter((f) => f.followed || isInbox(f.path)).map((f) => f.path);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(currentMode === 'all' ? 'all' : [...chosen].sort((a, b) => Number(isInbox(b)) - Number(isInbox(a))));
  };
  return (
    <form onSubmit={submit} aria-label={`Folders of ${mailbox.emailAddress}`}>
      <Stack gap="sm">
        <Radio.Group value={currentMode} onChange={(v) => setMode(v as 'all' | 'pick')} label="Which folders to watch for replies">
          <Stack gap={6} mt={6}>
            <Radio value="all" label="All folders (recommended)" description="Replies a mail rule files into any folder are seen; new folders are included. Sent, Drafts, Trash and Junk are left out." />
            <Radio value="pick" label="Only the folders I pick" />
          </Stack>
        </Radio.Group>
        {currentMode === 'pick' ? (
          <Checkbox.Group value={chosen} onChange={setPicked} label="Folders" description="The inbox is always watched.">
            <Stack gap={6} mt={6}>
              {selectable.map((f) => (
                <Checkbox
                  key={f.path}
                  value={f.path}
                  disabled={isInbox(f.path)}
                  label={
                    <Group gap={6} wrap="nowrap">
                      <span>{f.path}</span>
                      {f.role ? (
                        <Badge size="xs" variant="light" color="gray">
                          {ROLE_LABEL[f.role] ?? f.role}
                        </Badge>
                      ) : null}
                    </Group>
                  }
                />
              ))}
            </Stack>
          </Checkbox.Group>
        ) : null}
        {view.truncated ? (
          <Text size="xs" c="dimmed">
            The mailbox has more folders than can be listed here; the first ones are shown.
          </Text>
        ) : null}
        <FormError error={save.error} />
        <Group>
          <Button type="submit" size="xs" loading={save.isPending}>
            Save folders
          </Button>
          <Button variant="subtle" size="xs" onClick={onDone}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
