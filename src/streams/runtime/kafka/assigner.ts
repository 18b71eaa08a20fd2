import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { assignCopartitioned } from '../partition-assignment.js';

/** A kafkajs PartitionAssigner wrapping {@link assignCopartitioned}. */
export const copartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'VigilCopartitionedAssigner',
  version: 0,
  async assign({ members, topics }) {
    const counts = new Map<string, number>();
    for (const topic of topics) counts.set(topic, cluster.findTopicPartitionMetadata(topic).length);
    const assignment = assignCopartitioned(
      members.map((m) => m.memberId),
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
    return {
      name: 'VigilCopartitionedAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
