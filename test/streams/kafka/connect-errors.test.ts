import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/streams/errors.js';
import { explainConnectError } from '../../../src/streams/kafka/connection.js';
import type { KafkaConnectionOptions } from '../../../src/streams/kafka/types.js';

const options: KafkaConnectionOptions = { brokers: ['kafka-1:9094'], sasl: { mechanism: 'scram-sha-512', username: 'vigil-engine', password: () => 'hunter2' } };

// Shaped like kafkajs' errors (kafkajs itself may only be imported by the facade).
const saslError = Object.assign(new Error('SASL SCRAM SHA512 authentication failed, invalid credentials'), { name: 'KafkaJSSASLAuthenticationError' });
const wrapped = (cause: unknown) => Object.assign(new Error('Number of retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', cause });

describe('explainConnectError', () => {
  it('turns a SASL failure, however deeply wrapped, into VIGIL_ERR_KAFKA_AUTH naming the user and what to check, not the password', () => {
    const e = explainConnectError(wrapped(saslError), options);
    expect(isVigilError(e, 'VIGIL_ERR_KAFKA_AUTH')).toBe(true);
    expect((e as Error).message).toMatch(/Kafka \(kafka-1:9094\) rejected the SASL credentials of user "vigil-engine" with SCRAM-SHA-512/);
    expect((e as Error).message).toContain('VIGIL_KAFKA_SASL_PASSWORD_FILE');
    expect((e as Error).message).not.toContain('hunter2');
    expect((e as Error).cause).toBeDefined();
  });

  it.each(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED'])('turns TLS error %s into VIGIL_ERR_KAFKA_TLS', (code) => {
    const tls = Object.assign(new Error(`Connection error: ${code.toLowerCase()}`), { name: 'KafkaJSConnectionError', code });
    const e = explainConnectError(wrapped(tls), { brokers: ['kafka-1:9094'], tls: true });
    expect(isVigilError(e, 'VIGIL_ERR_KAFKA_TLS')).toBe(true);
    expect((e as Error).message).toContain(code);
    expect((e as Error).message).toContain('VIGIL_KAFKA_TLS_CA_FILE');
  });

  it('leaves every other error as it was', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' });
    expect(explainConnectError(refused, options)).toBe(refused);
    expect(explainConnectError('weird', options)).toBe('weird');
  });
});
