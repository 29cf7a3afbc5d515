/**
 * Mounts real renderer components in a unit test: a jsdom window as the
 * globals a component expects, and the module hooks (./hooks.ts) that compile
 * `.svelte` files and resolve `svelte` to its client build.
 *
 * A component test imports this first and the components after it,
 * dynamically (a static import is loaded before this module has registered
 * the hooks):
 *
 *   import { render, flushSync } from '../../../support/svelte/dom';
 *   const { default: ResultsTable } = await import('../../../../renderer/src/components/ResultsTable.svelte');
 *
 * Import `svelte` only from here too: a static `import { mount } from 'svelte'`
 * in the test gets the server build, whose `mount` throws.
 */
import { register } from 'node:module';
import { JSDOM } from 'jsdom';
import type { Component, ComponentType, SvelteComponent } from 'svelte';

const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', {
  // A real origin, so localStorage exists (the table keeps its layout there).
  url: 'http://localhost/',
  // requestAnimationFrame and performance, as a page has them.
  pretendToBeVisual: true,
});
const { window } = dom;

/**
 * jsdom has no layout, so it has no ResizeObserver: this one never reports,
 * which is true of a window whose elements never change size. Only for code
 * that constructs one unconditionally.
 */
class ResizeObserverStub {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
if (!('ResizeObserver' in window)) Object.defineProperty(window, 'ResizeObserver', { value: ResizeObserverStub, configurable: true, writable: true });

// Node has its own Event classes, but jsdom's elements dispatch only jsdom's; navigator and performance are the
// page's too (requestAnimationFrame's clock). Everything else the window has and Node lacks is added as is.
const TAKE_FROM_WINDOW = new Set(['Event', 'EventTarget', 'CustomEvent', 'navigator', 'performance']);
const globals = globalThis as Record<string, unknown>;
for (const key of Object.getOwnPropertyNames(window)) {
  if (key.startsWith('_') || key === 'undefined') continue;
  if (key in globals && !TAKE_FROM_WINDOW.has(key)) continue;
  Object.defineProperty(globalThis, key, { configurable: true, get: () => (window as unknown as Record<string, unknown>)[key] });
}

register('./hooks.ts', import.meta.url);

const svelte = await import('svelte');
export const { mount, unmount, flushSync, tick } = svelte;
export { window };

/** A mounted component: its element in the document, its exports, and how to take it away. */
export interface Rendered<Exports> {
  target: HTMLElement;
  component: Exports;
  /** Unmounts and removes the target. */
  destroy(): void;
}

/**
 * Mounts `Component` with `props` in a fresh element of the document and runs
 * its effects. The types follow svelte's `mount`: svelte-check sees a
 * component's props and exports, tsc sees any `.svelte` import as a legacy
 * component (svelte's ambient module type).
 */
export function render<Props extends Record<string, unknown>, Exports extends Record<string, unknown>>(
  Component: ComponentType<SvelteComponent<Props>> | Component<Props, Exports, string>,
  props: Props,
): Rendered<Exports> {
  const target = document.createElement('div');
  document.body.append(target);
  const component = mount(Component, { target, props });
  flushSync();
  return {
    target,
    component,
    destroy() {
      void unmount(component);
      target.remove();
    },
  };
}

/**
 * Gives elements matching `selector` a size: jsdom lays nothing out, so every
 * element measures 0 x 0, and a virtualized list there shows no rows. Only the
 * matching elements get it; returns how to undo it.
 */
export function giveSize(selector: string, size: { width: number; height: number }): () => void {
  // offsetWidth/offsetHeight are what @tanstack/virtual-core measures a scroll element by.
  const proto = window.HTMLElement.prototype;
  const saved = {
    offsetWidth: Object.getOwnPropertyDescriptor(proto, 'offsetWidth')!,
    offsetHeight: Object.getOwnPropertyDescriptor(proto, 'offsetHeight')!,
  };
  const sized = (key: keyof typeof saved, px: number): PropertyDescriptor => ({
    configurable: true,
    get(this: HTMLElement) {
      return this.matches(selector) ? px : (saved[key].get!.call(this) as number);
    },
  });
  Object.defineProperty(proto, 'offsetWidth', sized('offsetWidth', size.width));
  Object.defineProperty(proto, 'offsetHeight', sized('offsetHeight', size.height));
  return () => {
    for (const [key, descriptor] of Object.entries(saved)) Object.defineProperty(proto, key, descriptor);
  };
}

/**
 * Runs effects until `check` holds, for state that settles after a timer (a
 * debounced filter): fails after `timeoutMs` with `what` in the message.
 */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    flushSync();
    if (check()) return;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Types into an input as a user does: sets its value and fires `input`. */
export function typeInto(input: HTMLInputElement, text: string): void {
  input.value = text;
  input.dispatchEvent(new window.Event('input', { bubbles: true }));
  flushSync();
}
