import { randomUUID } from 'node:crypto';
import type { Serde } from '../../src/streams/index.js';
import type { KafkaProducer } from '../../src/streams/kafka/index.js';
import type { UserSignedUp } from './schema.js';

export interface NewUser {
  user_id: string;
  email?: string;
  phone?: string;
  channel?: 'email' | 'sms';
}

/** The event for a new user; the id and time are injected so tests are repeatable. */
export function signupEvent(user: NewUser, nowMs: number, eventId: string = randomUUID()): UserSignedUp {
  return {
    event_id: eventId,
    user_id: user.user_id,
    email: user.email ?? '',
    phone: user.phone ?? '',
    channel: user.channel === 'sms' ? 'CHANNEL_SMS' : 'CHANNEL_EMAIL',
    signed_up_at_ms: nowMs,
  };
}

/**
 * The user service's only knowledge of the outside world: a topic and a
 * schema. It does not know who listens, so adding a notifier changes
 * nothing here.
 */
export async function publishSignups(producer: KafkaProducer, serde: Serde<UserSignedUp>, topic: string, events: readonly UserSignedUp[]): Promise<void> {
  await producer.send(
    events.map((event) => ({ topic, key: Buffer.from(event.user_id), value: serde.serialize(topic, event), timestamp: event.signed_up_at_ms })),
  );
}
