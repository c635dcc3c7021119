// Small data-loading hooks shared by the pages.
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from './api/client';

export interface Resource<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  /** Loads again, keeping the current data on screen meanwhile. */
  reload(): void;
}

/**
 * Runs load whenever deps change (and on reload), dropping answers that
 * arrive after a newer load started.
 */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let current = true;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (!current) return;
        setError(describeError(err));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

interface Page<T> {
  data: T[];
  pagination: { limit: number; next_cursor?: string | null };
}

export interface PagedList<T> {
  items: T[];
  error: string | undefined;
  loading: boolean;
  /** True while a further page may exist. */
  hasMore: boolean;
  loadMore(): void;
  reload(): void;
}

/**
 * A cursor-paginated list: loadPage(cursor) fetches one page; loadMore
 * appends the next. A change of deps starts again from the first page.
 */
export function usePagedList<T>(
  loadPage: (cursor: string | undefined) => Promise<Page<T>>,
  deps: readonly unknown[],
): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const loadRef = useRef(loadPage);
  loadRef.current = loadPage;

  const fetchPage = useCallback((after: string | undefined, append: boolean) => {
    const gen = ++generation.current;
    setLoading(true);
    loadRef.current(after).then(
      (page) => {
        if (gen !== generation.current) return;
        setItems((prev) => (append ? [...prev, ...page.data] : page.data));
        setCursor(page.pagination.next_cursor ?? null);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (gen !== generation.current) return;
        setError(describeError(err));
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    fetchPage(undefined, false);
    return () => {
      generation.current++;
    };
  }, [...deps, tick, fetchPage]);

  return {
    items,
    error,
    loading,
    hasMore: cursor !== null,
    loadMore: () => {
      if (cursor !== null) fetchPage(cursor, true);
    },
    reload: () => setTick((t) => t + 1),
  };
}

/** value, once it has stopped changing for ms milliseconds. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** Sets the document title while the page is shown. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · agentplane`;
  }, [title]);
}
