// The part of jsdom's API the component-test harness uses (dom.ts); @types/jsdom is not installed for three lines.
declare module 'jsdom' {
  export class JSDOM {
    constructor(html?: string, options?: { url?: string; pretendToBeVisual?: boolean });
    readonly window: Window & typeof globalThis;
  }
}
