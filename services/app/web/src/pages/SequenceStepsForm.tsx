import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError, api, type Sequence } from '../api';
import { FormError, fieldErrors } from '../ui';
import { StepEditor, type StepDraft } from './StepEditor';

let nextKey = 1;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A stored step as the editor holds it: a text-only step becomes paragraphs. */
function draftOf(step: Sequence['steps'][number]): StepDraft {
  const text = step.text ?? '';
  const html = step.html ?? (text ? text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p)}</p>`).join('') : '');
  return { key: nextKey++, delayDays: Math.round((step.delaySeconds / 86_400) * 1000) / 1000, subject: step.subject ?? '', html, text };
}

/** How many leading steps were handed over to be sent, from a 409 steps_in_use (they cannot be removed). */
function stepsInUseOf(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 409 || error.code !== 'steps_in_use') return null;
  return typeof error.body.stepsInUse === 'number' ? error.body.stepsInUse : null;
}

/**
 * Editing a live sequence's steps: wording and delays of every step, steps added at the end, steps
 * not yet sent removed (PATCH /v1/sequences/:id sends the whole list; what was sent stays as sent,
 * and changes apply from each enrollment's next step on).
 */
export function SequenceStepsForm({ sequence, onDone }: { sequence: Sequence; onDone: () => void }) {
  const client = useQueryClient();
  const [steps, setSteps] = useState<StepDraft[]>(() => sequence.steps.map(draftOf));
  const [inUse, setInUse] = useState(0);
  const save = useMutation({
    mutationFn: () =>
      api<Sequence>(`/api/v1/sequences/${sequence.id}`, {
        method: 'PATCH',
        body: { steps: steps.map((s) => ({ delayDays: s.delayDays, subject: s.subject.trim() || null, html: s.html || null, text: s.text || null })) },
      }),
    onSuccess: (saved) => {
      client.setQueryData(['sequence', sequence.id], saved);
      void client.invalidateQueries({ queryKey: ['sequences'] });
      notifications.show({ color: 'green', message: 'The steps are saved. Emails not sent yet use them.' });
      onDone();
    },
    onError: (error) => setInUse((n) => Math.max(n, stepsInUseOf(error) ?? 0)),
  });
  const errors = fieldErrors(save.error);
  const refusedRemoval = stepsInUseOf(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="Edit the steps" noValidate>
      <Stack>
        {steps.map((step, i) => (
          <StepEditor
            key={step.key}
            step={step}
            index={i}
            errors={errors}
            onChange={(patch) => setSteps((all) => all.map((s) => (s.key === step.key ? { ...s, ...patch } : s)))}
            onRemove={steps.length > 1 && i >= inUse ? () => setSteps((all) => all.filter((s) => s.key !== step.key)) : null}
          />
        ))}
        {errors.steps ? (
          <Text c="red.9" size="sm" role="alert">
            {errors.steps}
          </Text>
        ) : null}
        {refusedRemoval !== null ? (
          <Alert color="orange" role="alert" title="These steps cannot be removed">
            {refusedRemoval === 1 ? 'Step 1 has' : `Steps 1 to ${refusedRemoval} have`} already been sent to someone in this sequence, so{' '}
            {refusedRemoval === 1 ? 'it stays' : 'they stay'}. You can still change {refusedRemoval === 1 ? 'its' : 'their'} wording and delay: the change applies to
            the emails not sent yet.{' '}
            <Button
              variant="subtle"
              size="compact-sm"
              onClick={() => {
                setSteps(sequence.steps.map(draftOf));
                save.reset();
              }}
            >
              Put the steps back
            </Button>
          </Alert>
        ) : null}
        {save.error && refusedRemoval === null && Object.keys(errors).length === 0 ? <FormError error={save.error} /> : null}
        <Group>
          <Button variant="light" onClick={() => setSteps((all) => [...all, { key: nextKey++, delayDays: 3, subject: '', html: '', text: '' }])}>
            Add a step
          </Button>
          <Button type="submit" loading={save.isPending}>
            Save steps
          </Button>
          <Button variant="subtle" onClick={onDone}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
