import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The example's own .proto; it is registered under `<topic>-value` like any other schema. */
export const NOTIFICATIONS_PROTO_PATH = fileURLToPath(new URL('./notifications.proto', import.meta.url));
export const USER_SIGNED_UP = 'vigil.examples.notifications.v1.UserSignedUp';

export type Channel = 'CHANNEL_UNSPECIFIED' | 'CHANNEL_EMAIL' | 'CHANNEL_SMS';

/** `UserSignedUp` as the registry serde decodes it (snake_case, enums as names, int64 as number). */
export interface UserSignedUp {
  event_id: string;
  user_id: string;
  email: string;
  phone: string;
  channel: Channel;
  signed_up_at_ms: number;
}

/** What the notifier writes to its `sent` topic (JSON): one record per notification it delivered. */
export interface NotificationSent {
  event_id: string;
  user_id: string;
  notifier: string;
  channel: 'sms' | 'email';
  to: string;
  sent_at_ms: number;
}

export function notificationsSchema(): string {
  return readFileSync(NOTIFICATIONS_PROTO_PATH, 'utf8');
}
