// First, before kafkajs loads: see the module.
import './kafkajs-fixes.js';
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { assignCopartitioned, decodeSubscriptionInfo } from '../runtime/partition-assignment.js';

const NAME = 'VigilCopartitionedAssigner';

/**
 * A kafkajs PartitionAssigner wrapping {@link assignCopartitioned}. Each
 * member's subscription carries `userData()` (its current and previous
 * tasks, see partition-assignment.ts), read when it joins; the leader
 * decodes every member's to assign stickily.
 */
export function copartitionedAssigner(userData: () => Buffer = () => Buffer.alloc(0)): PartitionAssigner {
  return ({ cluster }) => ({
    name: NAME,
    version: 0,
    async assign({ members, topics }) {
      const counts = new Map<string, number>();
      for (const topic of topics) counts.set(topic, cluster.findTopicPartitionMetadata(topic).length);
      const assignment = assignCopartitioned(
        members.map((m) => ({ memberId: m.memberId, info: decodeSubscriptionInfo(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData) })),
        counts,
      );
      return [...assignment].map(([memberId, byTopic]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: Object.fromEntries(byTopic),
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return { name: NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: userData() }) };
    },
  });
}
