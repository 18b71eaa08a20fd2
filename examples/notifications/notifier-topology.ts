import { Serdes, Stores, Topology, type KeyValueStore, type Processor, type ProcessorContext, type Record, type Serde } from '../../src/streams/index.js';
import { NotificationError } from './errors.js';
import type { Notification, NotificationSender } from './provider-client.js';
import type { NotificationSent, UserSignedUp } from './schema.js';

export interface NotifierTopologyOptions {
  /** Names this notifier in its sent records and idempotency keys; two notifiers never share one. */
  notifier: string;
  signupsTopic: string;
  /** Where a record per delivered notification goes (JSON), for the summary and for tests. */
  sentTopic: string;
  signupSerde: Serde<UserSignedUp>;
  sender: NotificationSender;
  /** Store of event ids already notified; default `<notifier>-sent-ids`. */
  storeName?: string;
  /** Test seam: an in-memory store instead of LevelDB. */
  inMemory?: boolean;
}

/** The text of the message a signup gets. Kept here so tests can assert it. */
export function welcomeText(event: UserSignedUp): string {
  return `Welcome to Vigil, ${event.user_id}!`;
}

/** The message for `event`, or a NotificationError when the event cannot be acted on. */
export function notificationFor(notifier: string, event: UserSignedUp): Notification {
  if (!event.event_id) throw new NotificationError('VIGIL_ERR_NOTIFY_INVALID_EVENT', `UserSignedUp for user "${event.user_id}" has no event_id; the producer must set one`);
  const channel = event.channel === 'CHANNEL_SMS' ? 'sms' : 'email';
  const to = channel === 'sms' ? event.phone : event.email;
  if (!to) {
    throw new NotificationError('VIGIL_ERR_NOTIFY_INVALID_EVENT', `UserSignedUp ${event.event_id} asks for ${channel} but has no ${channel === 'sms' ? 'phone' : 'email'}; fix the user record and republish`);
  }
  return { idempotencyKey: `${notifier}:${event.event_id}`, channel, to, text: welcomeText(event) };
}

/**
 * Sends one notification per new event id. The id is stored only after the
 * provider accepted the message, so a crash in between resends on
 * redelivery; the idempotency key lets the provider drop that resend. An
 * event already in the store (a duplicate publish, a redelivery after a
 * commit was lost) sends nothing.
 */
class NotifyProcessor implements Processor<string, UserSignedUp, string, NotificationSent> {
  private context!: ProcessorContext<string, NotificationSent>;
  private sentIds!: KeyValueStore<string, number>;

  constructor(private readonly options: NotifierTopologyOptions & { storeName: string }) {}

  init(context: ProcessorContext<string, NotificationSent>): void {
    this.context = context;
    this.sentIds = context.getStateStore<KeyValueStore<string, number>>(this.options.storeName);
  }

  async process(record: Record<string, UserSignedUp>): Promise<void> {
    const event = record.value;
    const notification = notificationFor(this.options.notifier, event);
    if ((await this.sentIds.get(event.event_id)) !== undefined) return;
    await this.options.sender.send(notification);
    const sentAt = this.context.currentSystemTimeMs();
    await this.sentIds.put(event.event_id, sentAt);
    await this.context.forward(
      record.withKey(event.event_id).withValue<NotificationSent>({
        event_id: event.event_id,
        user_id: event.user_id,
        notifier: this.options.notifier,
        channel: notification.channel,
        to: notification.to,
        sent_at_ms: sentAt,
      }),
    );
  }
}

/** signups → notify (dedup store, provider call) → sent. Errors go to the engine's handlers (the DLQ). */
export function buildNotifierTopology(options: NotifierTopologyOptions): Topology {
  const storeName = options.storeName ?? `${options.notifier}-sent-ids`;
  const supplier = options.inMemory ? Stores.inMemoryKeyValueStore(storeName) : Stores.persistentKeyValueStore(storeName);
  return new Topology()
    .addSource('signups', { topics: [options.signupsTopic], keySerde: Serdes.String(), valueSerde: options.signupSerde })
    .addProcessor('notify', () => new NotifyProcessor({ ...options, storeName }), 'signups')
    .addStateStore(Stores.keyValueStoreBuilder(supplier, Serdes.String(), Serdes.Long()), 'notify')
    .addSink('sent', options.sentTopic, { keySerde: Serdes.String(), valueSerde: Serdes.Json<NotificationSent>() }, 'notify');
}
