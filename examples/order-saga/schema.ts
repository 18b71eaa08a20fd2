import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ORDERS_PROTO_PATH = fileURLToPath(new URL('./orders.proto', import.meta.url));
export const ORDER_EVENT = 'vigil.examples.orders.v1.OrderEvent';

export function ordersSchema(): string {
  return readFileSync(ORDERS_PROTO_PATH, 'utf8');
}

export interface OrderPlaced {
  customer_id: string;
  sku: string;
  quantity: number;
  amount_minor: number;
  category: string;
  payment_method: string;
}
export interface SkuQuantity {
  sku: string;
  quantity: number;
}
export interface Bodies {
  order_placed: OrderPlaced;
  reserve_inventory: SkuQuantity;
  release_inventory: SkuQuantity;
  restock: SkuQuantity;
  inventory_reserved: SkuQuantity;
  inventory_rejected: { sku: string; reason: string };
  inventory_released: SkuQuantity;
  process_payment: { amount_minor: number; payment_method: string };
  payment_processed: { amount_minor: number };
  payment_declined: { reason: string };
  order_completed: { amount_minor: number; category: string };
  order_cancelled: { reason: string };
  shipment_requested: { customer_id: string; sku: string; quantity: number };
}
export type EventKind = keyof Bodies;
export const EVENT_KINDS = [
  'order_placed',
  'reserve_inventory',
  'release_inventory',
  'restock',
  'inventory_reserved',
  'inventory_rejected',
  'inventory_released',
  'process_payment',
  'payment_processed',
  'payment_declined',
  'order_completed',
  'order_cancelled',
  'shipment_requested',
] as const satisfies readonly EventKind[];

/** The envelope as the registry serde decodes it: exactly one body field is set. */
export type OrderEvent = { event_id: string; order_id: string; at_ms: number } & Partial<Bodies>;

/** Which body an event carries; undefined for an envelope with none (a malformed event). */
export function kindOf(event: OrderEvent): EventKind | undefined {
  return EVENT_KINDS.find((k) => event[k] !== undefined && event[k] !== null);
}

/** A new envelope. The id is deterministic so a step repeated after a crash carries the same id. */
export function orderEvent<K extends EventKind>(orderId: string, kind: K, body: Bodies[K], atMs: number): OrderEvent {
  return { event_id: `${orderId}:${kind}`, order_id: orderId, at_ms: atMs, [kind]: body } as OrderEvent;
}
