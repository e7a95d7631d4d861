/**
 * A text equal for two values only when both are the same plain data: strings, numbers, booleans,
 * null, undefined, hole-free arrays and plain objects (own enumerable data properties, same keys in
 * the same order). Undefined for anything else (class instances, getters, symbols), never shared.
 */
export function plainDataKey(value: unknown): string | undefined {
  const parts: string[] = [];
  const walk = (v: unknown): boolean => {
    switch (typeof v) {
      case 'undefined':
        parts.push('u');
        return true;
      case 'boolean':
      case 'string':
        parts.push(JSON.stringify(v));
        return true;
      case 'number':
        parts.push(Object.is(v, -0) ? '-0' : String(v));
        return true;
      case 'object': {
        if (v === null) {
          parts.push('null');
          return true;
        }
        const proto = Object.getPrototypeOf(v) as unknown;
        const isArray = Array.isArray(v);
        if (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) return false;
        if (Object.getOwnPropertySymbols(v).length > 0) return false;
        const names = Object.getOwnPropertyNames(v).filter((k) => !(isArray && k === 'length'));
        if (isArray && names.length !== (v as unknown[]).length) return false;
        parts.push(isArray ? '[' : '{');
        for (const name of names) {
          const d = Object.getOwnPropertyDescriptor(v, name)!;
          if (!d.enumerable || !('value' in d)) return false;
          if (!isArray) parts.push(JSON.stringify(name), ':');
          if (!walk(d.value)) return false;
          parts.push(',');
        }
        parts.push(isArray ? ']' : '}');
        return true;
      }
      case 'bigint':
      case 'function':
      case 'symbol':
        return false;
    }
  };
  return walk(value) ? parts.join('') : undefined;
}
