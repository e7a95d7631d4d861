/** Splits hosts into `serial` batches (N or "N%"; Ansible rounds percentages down, at least 1). */
export function batches<T>(items: T[], serial: number | string | undefined): T[][] {
  if (serial === undefined || items.length === 0) return [items];
  const size =
    typeof serial === 'string' && serial.endsWith('%')
      ? Math.max(1, Math.floor((items.length * Number(serial.slice(0, -1))) / 100))
      : Math.max(1, Number(serial));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `work` over `items` with at most `limit` at once, keeping result order. */
export async function mapWithLimit<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
