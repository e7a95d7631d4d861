/**
 * Sets a key of a plain object built from input. A key named `__proto__` is data, never the
 * object's prototype; every other key is assigned (fast: defineProperty on every key makes V8 keep
 * large objects in slow dictionary mode).
 */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
