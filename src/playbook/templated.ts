/** A string still holding Jinja: its real value (and type) is only known after rendering. */
export function isTemplated(value: unknown): boolean {
  return typeof value === 'string' && /\{\{|\{%/.test(value);
}
