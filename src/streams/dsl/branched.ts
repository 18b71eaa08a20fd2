import { legalName } from './internal/names.js';

/** Names a branch of `KStream.split()` (Kafka Streams' `Branched`). */
export class Branched {
  private constructor(readonly name: string | undefined) {
    Object.freeze(this);
  }

  /** The branch is returned under `<split name><name>`. */
  static as(name: string): Branched {
    return new Branched(legalName(name, 'Branched'));
  }
}
