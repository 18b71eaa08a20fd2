/**
 * Refuses to start on card state of the layout before issue 14.
 *
 * That layout kept a card in four stores (`fraud-card-state`,
 * `fraud-card-recent`, `fraud-dedupe`, `fraud-scoring-buffer`); this one
 * keeps it in `fraud-card`. An engine that started on a cluster where the
 * application's old changelogs exist, and its new one does not, would
 * resume from the committed offsets with empty card state: every card
 * would look new, with no history, and the features (and alerts) would be
 * wrong for a day. So it stops instead, and says how to rebuild.
 */
import type { KafkaAdmin } from '../../streams/kafka/index.js';
import { FraudError } from '../errors.js';
import { CARD_STORE, LEGACY_FRAUD_STORES } from '../features/feature-stores.js';

const changelogOf = (applicationId: string, store: string): string => `${applicationId}-${store}-changelog`;

export async function checkStateLayout(admin: Pick<KafkaAdmin, 'partitionCount'>, applicationId: string): Promise<void> {
  if ((await admin.partitionCount(changelogOf(applicationId, CARD_STORE))) > 0) return;
  const legacy: string[] = [];
  for (const store of LEGACY_FRAUD_STORES) {
    const topic = changelogOf(applicationId, store);
    if ((await admin.partitionCount(topic)) > 0) legacy.push(topic);
  }
  if (legacy.length === 0) return;
  throw new FraudError(
    'VIGIL_ERR_FRAUD_STATE_LAYOUT',
    `application "${applicationId}" has card state in the layout before this version (${legacy.join(', ')}), which this engine cannot read. ` +
      `Rebuild it under the new layout by reprocessing the transactions: start the engine with a new application id (--app-id ${applicationId}-v2), ` +
      `which reads the retained transactions from the beginning (at least 24 hours of them give every card its full history), ` +
      `then delete the old application's changelog topics and consumer group. Or keep running the previous version.`,
  );
}
