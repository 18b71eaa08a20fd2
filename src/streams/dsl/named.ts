import { legalName } from './internal/names.js';

/** Names a DSL operator's processor node (Kafka Streams' `Named`). */
export class Named {
  private constructor(readonly name: string) {
    Object.freeze(this);
  }

  static as(name: string): Named {
    return new Named(legalName(name, 'Named'));
  }
}
