/**
 * A small YAML writer for the plain data our deployment files hold
 * (objects, arrays, strings, numbers, booleans). Strings are always
 * JSON-quoted, which is valid YAML, so no value can be misread.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

function scalar(v: string | number | boolean | null): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function isScalar(v: YamlValue): v is string | number | boolean | null {
  return v === null || typeof v !== 'object';
}

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k) ? k : JSON.stringify(k);
}

function lines(value: YamlValue, indent: string): string[] {
  if (isScalar(value)) return [indent + scalar(value)];
  if (Array.isArray(value)) {
    if (value.length === 0) return [indent + '[]'];
    return value.flatMap((item) => {
      if (isScalar(item)) return [`${indent}- ${scalar(item)}`];
      const [first, ...rest] = lines(item, indent + '  ');
      return [`${indent}- ${first!.trimStart()}`, ...rest];
    });
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return [indent + '{}'];
  return entries.flatMap(([k, v]) => {
    if (isScalar(v)) return [`${indent}${key(k)}: ${scalar(v)}`];
    if (Array.isArray(v) && v.length === 0) return [`${indent}${key(k)}: []`];
    if (!Array.isArray(v) && Object.keys(v).length === 0) return [`${indent}${key(k)}: {}`];
    return [`${indent}${key(k)}:`, ...lines(v, indent + '  ')];
  });
}

export function toYaml(value: YamlValue, header = ''): string {
  return header + lines(value, '').join('\n') + '\n';
}
