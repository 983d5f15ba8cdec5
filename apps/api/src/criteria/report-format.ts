/** What the evidence reports share when they are rendered as CSV or HTML. */

/** HTML text: every character that could open markup is an entity. */
export const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One CSV cell: quoted when needed; a leading = + - @ tab or CR is defused (a spreadsheet could take it for a formula). */
export function csvCell(v: unknown): string {
  const s = v === undefined ? '' : String(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csv = (rows: unknown[][]) => `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;

export const htmlTable = (head: string[], rows: unknown[][]) => `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;

export const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
