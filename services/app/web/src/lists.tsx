import { Button } from '@mantine/core';
import { useInfiniteQuery, type UseInfiniteQueryResult, type InfiniteData } from '@tanstack/react-query';
import { api } from './api';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A list endpoint's pages (`{ items, nextCursor }`), fetched one after another on "Show more". */
export function useCursorList<T>(key: readonly unknown[], path: string, params: Record<string, string | null | undefined> = {}) {
  const query = useInfiniteQuery({
    queryKey: [...key, params],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(params)) if (value) search.set(name, value);
      if (pageParam) search.set('cursor', pageParam);
      return api<Page<T>>(`${path}?${search}`);
    },
    getNextPageParam: (last) => last.nextCursor,
  });
  return { query, items: query.data?.pages.flatMap((p) => p.items) ?? [] };
}

export function ShowMore({ query }: { query: UseInfiniteQueryResult<InfiniteData<Page<unknown>>> }) {
  if (!query.hasNextPage) return null;
  return (
    <Button variant="light" mt="md" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
      Show more
    </Button>
  );
}
