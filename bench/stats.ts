/** The numbers of the benchmark: medians of repeated runs, and figures as the report prints them. */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `1,234` or, with digits, `1,234.5`. */
export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** `0.41×` */
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
