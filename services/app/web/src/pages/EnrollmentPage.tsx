import { Alert, Anchor, Button, Card, Group, Stack, Text, Timeline, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, type Enrollment, type Explanation } from '../api';
import { ErrorState, FormError, Loading, PageTitle, formatTime, formatTimesIn } from '../ui';
import { StateBadge } from './SequencesPages';

const TRANSITION_LABEL: Record<string, string> = {
  enrolled: 'Enrolled',
  'step-dispatched': 'Step due: handed to the sender',
  'step-claimed': 'Sender started sending',
  'step-sent': 'Step sent',
  'step-failed-temporarily': 'Sending failed, retrying',
  'step-failed-permanently': 'Sending failed',
  stop: 'Campaign stopped',
  pause: 'Paused',
  resume: 'Resumed',
  completed: 'Completed: every step was sent',
};

const label = (transition: string) => TRANSITION_LABEL[transition] ?? transition.replace(/[-_]/g, ' ');

function detailText(detail: unknown): string | null {
  if (!detail || typeof detail !== 'object') return null;
  const d = detail as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d.stepNumber === 'number') parts.push(`step ${d.stepNumber}`);
  if (typeof d.reason === 'string') parts.push(d.reason.replace(/_/g, ' '));
  if (typeof d.relation === 'string') parts.push(`reply from ${d.relation}`);
  if (typeof d.until === 'string') parts.push(`until ${formatTime(d.until)}`);
  return parts.length ? parts.join(' · ') : null;
}

export function EnrollmentPage() {
  const { id } = useParams();
  const client = useQueryClient();
  const enrollment = useQuery({ queryKey: ['enrollment', id], queryFn: () => api<Enrollment>(`/api/v1/enrollments/${id}`), refetchInterval: 10_000 });
  const explanation = useQuery({ queryKey: ['enrollment', id, 'explain'], queryFn: () => api<Explanation>(`/api/v1/enrollments/${id}/explain`), refetchInterval: 10_000 });
  const act = useMutation({
    mutationFn: (action: 'pause' | 'resume' | 'stop') => api<Enrollment>(`/api/v1/enrollments/${id}/${action}`, { method: 'POST', body: {} }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['enrollment', id] }),
  });
  if (enrollment.isPending) return <Loading label="Loading the enrollment" />;
  if (enrollment.error) return <ErrorState error={enrollment.error} onRetry={() => void enrollment.refetch()} />;
  const e = enrollment.data;
  const ended = e.state === 'stopped' || e.state === 'completed' || e.state === 'failed';
  const person = e.prospect.name ? `${e.prospect.name} <${e.prospect.address}>` : e.prospect.address;
  return (
    <Stack>
      <PageTitle right={<StateBadge state={e.state} />}>{person}</PageTitle>
      <Text size="sm">
        <Anchor component={Link} to={`/sequences/${e.sequenceId}`}>
          Back to the sequence
        </Anchor>
        {e.cc.length > 0 ? ` · CC: ${e.cc.map((c) => c.name ?? c.address).join(', ')}` : ''}
      </Text>
      {explanation.data ? (
        <Alert color={explanation.data.stopped ? 'red' : 'blue'} title="Why" role="status" data-testid="explanation">
          {formatTimesIn(explanation.data.answer)}
        </Alert>
      ) : null}
      {explanation.error ? <ErrorState error={explanation.error} /> : null}
      {!ended ? (
        <Group>
          {e.state === 'paused' ? (
            <Button variant="light" onClick={() => act.mutate('resume')} loading={act.isPending && act.variables === 'resume'}>
              Resume
            </Button>
          ) : (
            <Button variant="light" onClick={() => act.mutate('pause')} loading={act.isPending && act.variables === 'pause'}>
              Pause
            </Button>
          )}
          <Button color="red" variant="light" onClick={() => act.mutate('stop')} loading={act.isPending && act.variables === 'stop'}>
            Stop
          </Button>
        </Group>
      ) : null}
      <FormError error={act.error} />
      <Card withBorder>
        <Title order={3} size="h4" mb="md">
          Timeline
        </Title>
        <Timeline  bulletSize={14} lineWidth={2} active={e.history.length - 1}>
          {e.history.map((h, i) => (
            <Timeline.Item key={i} title={label(h.transition)}>
              <Text size="xs" c="dimmed">
                {formatTime(h.at)}
                {detailText(h.detail) ? ` · ${detailText(h.detail)}` : ''}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
        {e.nextDueAt && !ended ? (
          <Text size="sm" mt="md">
            Step {e.nextStepNumber} is due {formatTime(e.nextDueAt)}.
          </Text>
        ) : null}
      </Card>
      {explanation.data && explanation.data.replies.length > 0 ? (
        <Card withBorder>
          <Title order={3} size="h4" mb="xs">
            Replies
          </Title>
          {explanation.data.replies.map((r) => (
            <Text size="sm" key={r.replyId}>
              {formatTime(r.at)} — {r.from ?? 'someone'} ({r.relation ?? r.kind}): {formatTimesIn(r.why)}
            </Text>
          ))}
        </Card>
      ) : null}
    </Stack>
  );
}
