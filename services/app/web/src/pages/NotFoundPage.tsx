import { Button } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState } from '../ui';

export function NotFoundPage() {
  return (
    <EmptyState title="Nothing here">
      This page does not exist.{' '}
      <Button component={Link} to="/" variant="subtle" size="compact-sm">
        Go to the feed
      </Button>
    </EmptyState>
  );
}
