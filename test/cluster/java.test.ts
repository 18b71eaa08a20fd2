import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/errors.js';
import { findJava, parseJavaMajor } from '../../src/cluster/java.js';

describe('parseJavaMajor', () => {
  it('reads the major version of modern and legacy version strings', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('openjdk version "25.0.3" 2026-04-21 LTS')).toBe(25);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
  });

  it('returns undefined for output that is not a version', () => {
    expect(parseJavaMajor('sh: java: not found')).toBeUndefined();
  });
});

describe('findJava', () => {
  it('says what is missing and how to use an existing cluster instead', () => {
    let error: unknown;
    try {
      findJava(999, 'A future Kafka');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).code).toBe('VIGIL_ERR_JAVA_MISSING');
    expect((error as Error).message).toMatch(/A future Kafka needs Java 999/);
    expect((error as Error).message).toMatch(/KAFKA_BROKERS=.*SCHEMA_REGISTRY_URL=/);
  });

  it('finds the Java 17 that Kafka needs on this machine', () => {
    expect(findJava(17, 'Kafka').major).toBeGreaterThanOrEqual(17);
  });
});
