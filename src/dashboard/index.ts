// The fraud-operations dashboard: fastify plugin, webhook receiver, live page.
export { dashboardPlugin, type DashboardOptions } from './plugin.js';
export { buildDashboardApp, startDashboard, type DashboardServer, type DashboardServerOptions } from './server.js';
export { AlertFeed, LATENCY_BUCKETS_MS, type FeedAlert, type FeedStats } from './alert-feed.js';
export { alertCardHistory, type CardHistoryProvider, type CardTransaction } from './card-history.js';
export { DashboardErrorCodes, DashboardError, type DashboardErrorCode } from './errors.js';
export { interactiveCardHistory, CARD_RECENT_STORE_NAME, type WindowStoreQueries } from './iq-card-history.js';
