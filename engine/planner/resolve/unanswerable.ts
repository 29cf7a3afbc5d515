/** The question cannot be answered from this schema; the message says what was not understood. */
export class Unanswerable extends Error {}
