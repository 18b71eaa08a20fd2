import { Serdes, Stores, Topology, type KeyValueStore, type Processor, type ProcessorContext, type Record, type Serde } from '../../src/streams/index.js';
import { orderEvent, type OrderEvent } from './schema.js';
import { SagaError } from './errors.js';
import type { OrderTopics } from './topics.js';

export const PAYMENTS_STORE = 'payments';

export type PaymentDecision = { approved: true } | { approved: false; reason: string };

/** The card network, as the payment service sees it. Synchronous here; a real one would be an HTTP call. */
export type PaymentGateway = (orderId: string, amountMinor: number, paymentMethod: string) => PaymentDecision;

/** The mock gateway: declines the "card-declined" method and anything over 10 000.00. */
export const mockGateway: PaymentGateway = (_orderId, amountMinor, method) => {
  if (method === 'card-declined') return { approved: false, reason: 'card declined by issuer' };
  if (amountMinor > 1_000_000) return { approved: false, reason: `amount ${amountMinor} is over the 1000000 limit` };
  return { approved: true };
};

/** Charges once per order: the decision is stored, and a repeated command gets the stored answer. */
class PaymentProcessor implements Processor<string, OrderEvent, string, OrderEvent> {
  private context!: ProcessorContext<string, OrderEvent>;
  private payments!: KeyValueStore<string, PaymentDecision & { amount_minor: number }>;

  constructor(private readonly gateway: PaymentGateway) {}

  init(context: ProcessorContext<string, OrderEvent>): void {
    this.context = context;
    this.payments = context.getStateStore(PAYMENTS_STORE);
  }

  async process(record: Record<string, OrderEvent>): Promise<void> {
    const event = record.value;
    const command = event.process_payment;
    if (!command) throw new SagaError('VIGIL_ERR_SAGA_UNEXPECTED_EVENT', `payment-commands carried no process_payment for order "${event.order_id}"`);
    let decision = await this.payments.get(event.order_id);
    if (!decision) {
      decision = { ...this.gateway(event.order_id, command.amount_minor, command.payment_method), amount_minor: command.amount_minor };
      await this.payments.put(event.order_id, decision);
    }
    const now = this.context.currentSystemTimeMs();
    await this.context.forward(
      record.withValue(
        decision.approved
          ? orderEvent(event.order_id, 'payment_processed', { amount_minor: decision.amount_minor }, now)
          : orderEvent(event.order_id, 'payment_declined', { reason: decision.reason }, now),
      ),
    );
  }
}

export function buildPaymentTopology(topics: OrderTopics, serde: Serde<OrderEvent>, options: { inMemory?: boolean; gateway?: PaymentGateway; into?: Topology } = {}): Topology {
  const kv = options.inMemory ? Stores.inMemoryKeyValueStore : Stores.persistentKeyValueStore;
  const gateway = options.gateway ?? mockGateway;
  return (options.into ?? new Topology())
    .addSource('payment-commands', { topics: [topics.paymentCommands], keySerde: Serdes.String(), valueSerde: serde })
    .addProcessor('payment', () => new PaymentProcessor(gateway), 'payment-commands')
    .addStateStore(Stores.keyValueStoreBuilder(kv(PAYMENTS_STORE), Serdes.String(), Serdes.Json<PaymentDecision & { amount_minor: number }>()), 'payment')
    .addSink('payment-events', topics.paymentEvents, { keySerde: Serdes.String(), valueSerde: serde }, 'payment');
}
