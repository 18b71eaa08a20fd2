/** Every topic of the saga. Tests use a unique prefix so they share one broker. */
export interface OrderTopics {
  /** OrderPlaced, keyed by order id (the saga's input). */
  orders: string;
  /** ReserveInventory / ReleaseInventory / Restock, keyed by SKU so one task owns a SKU's stock. */
  inventoryCommands: string;
  /** InventoryReserved / Rejected / Released, keyed by order id. */
  inventoryEvents: string;
  /** ProcessPayment, keyed by order id. */
  paymentCommands: string;
  /** PaymentProcessed / Declined, keyed by order id. */
  paymentEvents: string;
  /** OrderCompleted / OrderCancelled, keyed by order id: the saga's terminal facts. */
  orderResults: string;
  /** ShipmentRequested, keyed by order id: the warehouse webhook's input. */
  shipments: string;
  /** The shipping API's confirmations (JSON). */
  shipmentsConfirmed: string;
  /** Revenue per category per minute (JSON). */
  revenue: string;
  /** Malformed or undeliverable records of every service, with the engine's vigil.error.* headers. */
  dlq: string;
}

export function orderTopics(prefix = ''): OrderTopics {
  return {
    orders: `${prefix}orders`,
    inventoryCommands: `${prefix}inventory-commands`,
    inventoryEvents: `${prefix}inventory-events`,
    paymentCommands: `${prefix}payment-commands`,
    paymentEvents: `${prefix}payment-events`,
    orderResults: `${prefix}order-results`,
    shipments: `${prefix}shipments`,
    shipmentsConfirmed: `${prefix}shipments-confirmed`,
    revenue: `${prefix}revenue-per-category`,
    dlq: `${prefix}orders-dlq`,
  };
}

/** Topics written with the OrderEvent envelope (registered under `<topic>-value`). */
export function envelopeTopics(t: OrderTopics): string[] {
  return [t.orders, t.inventoryCommands, t.inventoryEvents, t.paymentCommands, t.paymentEvents, t.orderResults, t.shipments];
}
