import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, type Sequence } from '../api';
import { FormError, PageTitle, fieldErrors } from '../ui';
import { StepEditor, type StepDraft } from './StepEditor';

let nextKey = 1;
const newStep = (delayDays: number): StepDraft => ({ key: nextKey++, delayDays, subject: '', html: '', text: '' });

export function SequenceNewPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [steps, setSteps] = useState<StepDraft[]>(() => [newStep(0)]);
  const create = useMutation({
    mutationFn: () =>
      api<Sequence>('/api/v1/sequences', {
        method: 'POST',
        body: {
          name: name.trim(),
          steps: steps.map((s) => ({ delayDays: s.delayDays, subject: s.subject.trim() || null, html: s.html || null, text: s.text || null })),
        },
      }),
    onSuccess: (sequence) => {
      void client.invalidateQueries({ queryKey: ['sequences'] });
      notifications.show({ color: 'green', message: `“${sequence.name}” is created. Enrol someone next.` });
      void navigate(`/sequences/${sequence.id}`);
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <>
      <PageTitle>New sequence</PageTitle>
      <form onSubmit={submit} aria-label="New sequence" noValidate>
        <Stack>
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} maw={480} />
          {steps.map((step, i) => (
            <StepEditor
              key={step.key}
              step={step}
              index={i}
              errors={errors}
              onChange={(patch) => setSteps((all) => all.map((s) => (s.key === step.key ? { ...s, ...patch } : s)))}
              onRemove={steps.length > 1 ? () => setSteps((all) => all.filter((s) => s.key !== step.key)) : null}
            />
          ))}
          {errors.steps ? (
            <Text c="red.9" size="sm" role="alert">
              {errors.steps}
            </Text>
          ) : null}
          {create.error && Object.keys(errors).length === 0 ? <FormError error={create.error} /> : null}
          <Group>
            <Button variant="light" onClick={() => setSteps((all) => [...all, newStep(3)])}>
              Add a step
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create sequence
            </Button>
          </Group>
        </Stack>
      </form>
    </>
  );
}

