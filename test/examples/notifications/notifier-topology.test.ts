import { afterEach, describe, expect, it } from 'vitest';
import { buildNotifierTopology, notificationFor, welcomeText } from '../../../examples/notifications/notifier-topology.js';
import { NotificationError } from '../../../examples/notifications/errors.js';
import type { Notification, NotificationSender } from '../../../examples/notifications/provider-client.js';
import { USER_SIGNED_UP, notificationsSchema, type NotificationSent, type UserSignedUp } from '../../../examples/notifications/schema.js';
import { signupEvent } from '../../../examples/notifications/user-service.js';
import { staticRegistrySerde } from '../../../src/registry/registry-serde.js';
import { Serdes, TopologyTestDriver, continueOnDeserializationError, continueOnProcessingError } from '../../../src/streams/index.js';

const serde = staticRegistrySerde<UserSignedUp>({ schema: notificationsSchema(), messageName: USER_SIGNED_UP, schemaIds: new Map([['signups-value', [1]]]) });

/** Records what it was asked to send; fails while `down` is positive. */
class RecordingSender implements NotificationSender {
  readonly sent: Notification[] = [];
  down = 0;
  async send(notification: Notification): Promise<{ attempts: number }> {
    if (this.down > 0) {
      this.down--;
      throw new NotificationError('VIGIL_ERR_NOTIFY_PROVIDER', 'provider down');
    }
    this.sent.push(notification);
    return { attempts: 1 };
  }
}

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

function setup(notifier = 'welcome') {
  const sender = new RecordingSender();
  const topology = buildNotifierTopology({ notifier, signupsTopic: 'signups', sentTopic: 'sent', signupSerde: serde, sender, inMemory: true });
  driver = new TopologyTestDriver(topology, {
    deserializationExceptionHandler: continueOnDeserializationError,
    processingExceptionHandler: continueOnProcessingError,
    deadLetterTopic: 'dlq',
  });
  const input = driver.createInputTopic('signups', Serdes.String(), serde);
  const sent = driver.createOutputTopic('sent', Serdes.String(), Serdes.Json<NotificationSent>());
  const dlq = driver.createOutputTopic('dlq', Serdes.String(), Serdes.Bytes());
  return { sender, input, sent, dlq, driver };
}

describe('notifier topology', () => {
  it('sends an email for an email signup and an SMS for an SMS signup', async () => {
    const { sender, input, sent } = setup();
    const ada = signupEvent({ user_id: 'ada', email: 'ada@example.com', channel: 'email' }, 1_000, 'e-1');
    const bob = signupEvent({ user_id: 'bob', phone: '+15550100', channel: 'sms' }, 2_000, 'e-2');
    await input.pipeInput('ada', ada);
    await input.pipeInput('bob', bob);
    expect(sender.sent).toEqual([
      { idempotencyKey: 'welcome:e-1', channel: 'email', to: 'ada@example.com', text: welcomeText(ada) },
      { idempotencyKey: 'welcome:e-2', channel: 'sms', to: '+15550100', text: welcomeText(bob) },
    ]);
    expect(sent.readValuesToList().map((v) => [v?.event_id, v?.channel, v?.to, v?.notifier])).toEqual([
      ['e-1', 'email', 'ada@example.com', 'welcome'],
      ['e-2', 'sms', '+15550100', 'welcome'],
    ]);
  });

  it('sends nothing twice when the same event id is delivered again', async () => {
    const { sender, input, sent } = setup();
    const event = signupEvent({ user_id: 'ada', email: 'ada@example.com' }, 1_000, 'e-1');
    await input.pipeInput('ada', event);
    await input.pipeInput('ada', event);
    await input.pipeInput('ada', { ...event });
    expect(sender.sent).toHaveLength(1);
    expect(sent.getQueueSize()).toBe(1);
  });

  it('dead-letters malformed bytes with the deserialization error as the reason and goes on', async () => {
    const { sender, input, dlq, driver: d } = setup();
    await d.pipeRaw('signups', Buffer.from('ada'), Buffer.from('not protobuf'), 1_000, undefined);
    await input.pipeInput('bob', signupEvent({ user_id: 'bob', email: 'bob@example.com' }, 2_000, 'e-2'));
    const [letter, ...rest] = dlq.readRecordsToList();
    expect(rest).toEqual([]);
    expect(letter?.headers.get('vigil.error.code')?.toString()).toBe('VIGIL_ERR_DESERIALIZATION');
    expect(letter?.value?.toString()).toBe('not protobuf');
    expect(sender.sent.map((n) => n.to)).toEqual(['bob@example.com']);
  });

  it('dead-letters an SMS signup without a phone number, saying what is missing', async () => {
    const { sender, input, dlq } = setup();
    await input.pipeInput('eve', signupEvent({ user_id: 'eve', channel: 'sms' }, 1_000, 'e-3'));
    const [letter] = dlq.readRecordsToList();
    expect(letter?.headers.get('vigil.error.message')?.toString()).toMatch(/asks for sms but has no phone/);
    expect(sender.sent).toEqual([]);
  });

  it('dead-letters an event whose provider stayed down, and records it as not sent so a replay sends it', async () => {
    const { sender, input, dlq, sent } = setup();
    sender.down = 1;
    const event = signupEvent({ user_id: 'ada', email: 'ada@example.com' }, 1_000, 'e-1');
    await input.pipeInput('ada', event);
    expect(dlq.readRecordsToList()[0]?.headers.get('vigil.error.message')?.toString()).toBe('VIGIL_ERR_NOTIFY_PROVIDER: provider down');
    expect(sent.isEmpty()).toBe(true);
    await input.pipeInput('ada', event);
    expect(sender.sent).toHaveLength(1);
  });

  it('refuses an event without an id, as the producer must set one', () => {
    expect(() => notificationFor('n', signupEvent({ user_id: 'ada', email: 'a@x' }, 0, ''))).toThrow(/has no event_id/);
  });
});
