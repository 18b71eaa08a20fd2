/** Replays a simulator fixture into Kafka; see {@link replay}. */
export { replay, type ReplayKafka, type ReplayOptions, type ReplayProgress, type ReplayResult, type ReplayTargets } from './replay.js';
export { createPacer, systemClock, type Pacer, type ReplayClock } from './pacer.js';
