/** Throws one error listing every broken rule, so the user fixes them all in one go. */
export function throwIfInvalid(errors: string[]): void {
  if (errors.length > 0) throw new Error(errors.join('\n'));
}

/** Drops the members that are undefined; returns undefined when none is left. */
export function compact<T extends object>(o: T): T | undefined {
  const kept = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(kept).length > 0 ? (kept as T) : undefined;
}
