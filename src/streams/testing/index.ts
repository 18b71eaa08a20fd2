export { TopologyTestDriver } from './topology-test-driver.js';
export type { TopologyTestDriverOptions } from './topology-test-driver.js';
export { TestInputTopic } from './test-input-topic.js';
export { TestOutputTopic } from './test-output-topic.js';
export type { OutputRecord, TestRecord } from './test-record.js';
