import { Card, Group, NumberInput, Stack, Text, TextInput, ActionIcon } from '@mantine/core';
import { RichTextEditor } from '@mantine/tiptap';
import { useEditor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';

export interface StepDraft {
  key: number;
  delayDays: number;
  subject: string;
  html: string;
  text: string;
}

export function StepEditor({
  step,
  index,
  errors,
  onChange,
  onRemove,
}: {
  step: StepDraft;
  index: number;
  errors: Record<string, string>;
  onChange: (patch: Partial<StepDraft>) => void;
  onRemove: (() => void) | null;
}) {
  const editor = useEditor({
    extensions: [StarterKit.configure({ link: { openOnClick: false } })],
    content: step.html,
    immediatelyRender: true,
    editorProps: { attributes: { 'aria-label': `Step ${index + 1} body`, role: 'textbox', 'aria-multiline': 'true' } },
    onUpdate: ({ editor: e }) => onChange({ html: e.isEmpty ? '' : e.getHTML(), text: e.getText() }),
  });
  const prefix = `steps.${index}.`;
  // The step itself refused (its one check: html or text present) is about the body.
  const bodyError = errors[`${prefix}html`] ?? errors[`${prefix}text`] ?? (errors[`steps.${index}`] ? 'Write the body of this email' : undefined);
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={600}>Step {index + 1}</Text>
          {onRemove ? (
            <ActionIcon variant="subtle" color="red" onClick={onRemove} aria-label={`Remove step ${index + 1}`}>
              ×
            </ActionIcon>
          ) : null}
        </Group>
        <Group align="flex-start" wrap="wrap">
          <NumberInput
            label={index === 0 ? 'Send after (days from enrolment)' : 'Wait (days after the previous step)'}
            min={0}
            max={365}
            value={step.delayDays}
            onChange={(v) => onChange({ delayDays: Number(v) || 0 })}
            error={errors[`${prefix}delayDays`]}
            w={260}
          />
          <TextInput
            label={index === 0 ? 'Subject' : 'Subject (empty: reply in the same thread)'}
            value={step.subject}
            onChange={(e) => onChange({ subject: e.currentTarget.value })}
            error={errors[`${prefix}subject`]}
            style={{ flex: 1, minWidth: 220 }}
          />
        </Group>
        <Stack gap={4}>
          <Text size="sm" fw={500} id={`step-${index}-body-label`}>
            Body
          </Text>
          <RichTextEditor editor={editor}>
            <RichTextEditor.Toolbar>
              <RichTextEditor.ControlsGroup>
                <RichTextEditor.Bold />
                <RichTextEditor.Italic />
                <RichTextEditor.BulletList />
                <RichTextEditor.OrderedList />
                <RichTextEditor.Link />
              </RichTextEditor.ControlsGroup>
            </RichTextEditor.Toolbar>
            <RichTextEditor.Content mih={120} />
          </RichTextEditor>
          {bodyError ? (
            <Text size="xs" c="red.9" role="alert">
              {bodyError}
            </Text>
          ) : null}
          <Text size="xs" c="dimmed">
            {'{{firstName}}'} is replaced with the person’s first name.
          </Text>
        </Stack>
      </Stack>
    </Card>
  );
}
