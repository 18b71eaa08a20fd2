// Windows for the DSL: definitions, windowed streams, suppression and the
// windowed stream-stream join. The `*Hooks` exports are for the DSL classes
// (KGroupedStream, KTable, KStream), not for applications.
export type { Window, Windowed } from '../../state/types.js';
export { windowOf } from './window.js';
export type { Windows } from './windows.js';
export { TimeWindows } from './time-windows.js';
export { SlidingWindows } from './sliding-windows.js';
export { SessionWindows } from './session-windows.js';
export { JoinWindows } from './join-windows.js';
export { BufferConfig, Suppressed } from './suppressed.js';
export { StreamJoined } from './stream-joined.js';
export { WindowedSerdes } from './windowed-serdes.js';
export { TimeWindowedKStream } from './time-windowed-kstream.js';
export { SessionWindowedKStream } from './session-windowed-kstream.js';
export type { Aggregator, Initializer, Merger, Reducer } from './internal/functions.js';
export type { ValueAndTimestamp } from './internal/value-and-timestamp.js';
export { windowedBy, suppressTable } from './internal/dsl-hooks.js';
export { joinStreams } from './internal/stream-stream-join.js';
export type { StreamJoinKind, StreamValueJoiner } from './internal/stream-stream-join.js';
