/**
 * Runs one saga service as its own process: `tsx examples/order-saga/service-main.ts <service>`
 * with the options as JSON in VIGIL_ORDER_SERVICE (brokers, registryUrl,
 * topics, stateDir, appPrefix, shipping: { url, secret }). The fault tests
 * SIGKILL it mid-saga. Prints `ready <service>` once RUNNING.
 */
import { WebhookSecret } from '../../src/webhook/index.js';
import { ORDER_SERVICES, startOrderService, type OrderService, type OrderServiceOptions } from './app.js';

const service = process.argv[2] as OrderService;
if (!ORDER_SERVICES.includes(service)) {
  process.stderr.write(`usage: service-main.ts <${ORDER_SERVICES.join('|')}>, options as JSON in VIGIL_ORDER_SERVICE\n`);
  process.exit(2);
}
const raw = JSON.parse(process.env.VIGIL_ORDER_SERVICE ?? '{}') as Omit<OrderServiceOptions, 'shipping'> & { shipping?: { url: string; secret: string } };
const { shipping, ...rest } = raw;
const options: OrderServiceOptions = {
  ...rest,
  ...(shipping ? { shipping: { url: shipping.url, secrets: [WebhookSecret.parse(shipping.secret)] } } : {}),
};
const running = await startOrderService(service, options);
await running.streams.waitForState('RUNNING', 120_000);
process.stdout.write(`ready ${service}\n`);
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
