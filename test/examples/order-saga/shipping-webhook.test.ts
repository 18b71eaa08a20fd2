import { afterEach, describe, expect, it } from 'vitest';
import { MockShippingApi } from '../../../examples/order-saga/mock-shipping-api.js';
import { ORDER_EVENT, orderEvent, ordersSchema, type OrderEvent } from '../../../examples/order-saga/schema.js';
import { buildShippingTopology, validateShippingResponse, type ShipmentConfirmed } from '../../../examples/order-saga/shipping-webhook.js';
import { envelopeTopics, orderTopics } from '../../../examples/order-saga/topics.js';
import { staticRegistrySerde } from '../../../src/registry/registry-serde.js';
import { ManualClock, Serdes, TopologyTestDriver, continueOnProcessingError } from '../../../src/streams/index.js';
import { WebhookSecret } from '../../../src/webhook/index.js';

const topics = orderTopics();
const serde = staticRegistrySerde<OrderEvent>({ schema: ordersSchema(), messageName: ORDER_EVENT, schemaIds: new Map(envelopeTopics(topics).map((t) => [`${t}-value`, [1]])) });
const secret = WebhookSecret.parse(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);

let driver: TopologyTestDriver | undefined;
let api: MockShippingApi | undefined;
afterEach(async () => {
  await driver?.close();
  await api?.close();
  driver = undefined;
  api = undefined;
});

async function setup(secrets = [secret]) {
  api = await MockShippingApi.start([secret]);
  const waits: number[] = [];
  const topology = buildShippingTopology(topics, serde, { url: api.url, secrets, inMemory: true, retry: { maxAttempts: 4 }, sleep: async (ms) => void waits.push(ms), random: () => 0 });
  // The signature timestamp comes from the driver's clock: keep it at now so the receiver's tolerance check passes.
  driver = new TopologyTestDriver(topology, { processingExceptionHandler: continueOnProcessingError, deadLetterTopic: topics.dlq }, { clock: new ManualClock(Date.now()) });
  const shipments = driver.createInputTopic(topics.shipments, Serdes.String(), serde);
  const confirmed = driver.createOutputTopic(topics.shipmentsConfirmed, Serdes.String(), Serdes.Json<ShipmentConfirmed>());
  const dlq = driver.createOutputTopic(topics.dlq, Serdes.String(), Serdes.Bytes());
  const request = (id: string) => shipments.pipeInput(id, orderEvent(id, 'shipment_requested', { customer_id: 'c-1', sku: 'sku-1', quantity: 1 }, 0));
  return { api, waits, request, confirmed, dlq };
}

describe('shipping webhook (real signed HTTP to the mock warehouse)', () => {
  it('delivers a signed webhook the warehouse verifies and records its tracking id', async () => {
    const s = await setup();
    await s.request('o-1');
    expect(s.confirmed.readValuesToList()).toEqual([{ order_id: 'o-1', tracking_id: 'TRK-O1', attempts: 1 }]);
    expect(s.api.requests).toEqual([{ webhookId: 'o-1:shipment_requested', status: 200, orderId: 'o-1' }]);
  });

  it('retries an outage with backoff until the warehouse recovers, and ships once', async () => {
    const s = await setup();
    s.api.failNext(2);
    await s.request('o-2');
    await s.request('o-2');
    expect(s.api.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(s.waits).toEqual([100, 200]);
    expect(s.confirmed.readValuesToList()).toEqual([{ order_id: 'o-2', tracking_id: 'TRK-O2', attempts: 3 }]);
  });

  it('does not take a 200 without a tracking id as a confirmation', async () => {
    const s = await setup();
    s.api.garbleNext(1);
    await s.request('o-3');
    expect(s.confirmed.readValuesToList()).toEqual([{ order_id: 'o-3', tracking_id: 'TRK-O3', attempts: 2 }]);
  });

  it('dead-letters the shipment with the last failure when the attempts run out, and goes on', async () => {
    const s = await setup();
    s.api.failNext(4);
    await s.request('o-4');
    await s.request('o-5');
    const [letter, ...rest] = s.dlq.readRecordsToList();
    expect(rest).toEqual([]);
    expect(letter?.headers.get('vigil.error.message')?.toString()).toMatch(/VIGIL_ERR_SHIPPING_WEBHOOK.*order o-4 \(last: HTTP 503\)/);
    expect(s.confirmed.readValuesToList().map((c) => c?.order_id)).toEqual(['o-5']);
  });

  it('is refused by the warehouse when signed with the wrong secret', async () => {
    const wrong = WebhookSecret.parse(`whsec_${Buffer.alloc(32, 9).toString('base64')}`);
    const s = await setup([wrong]);
    await s.request('o-6');
    expect(s.api.requests.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(s.dlq.getQueueSize()).toBe(1);
  });

  it('validates the response body', () => {
    expect(validateShippingResponse('o-1', { order_id: 'o-1', tracking_id: 'TRK-ABCD' })).toEqual({ tracking_id: 'TRK-ABCD' });
    expect(validateShippingResponse('o-1', { order_id: 'o-2', tracking_id: 'TRK-ABCD' })).toMatch(/not "o-1"/);
    expect(validateShippingResponse('o-1', { order_id: 'o-1', tracking_id: 'x' })).toMatch(/is not TRK/);
    expect(validateShippingResponse('o-1', 'text')).toMatch(/not a JSON object/);
  });
});
