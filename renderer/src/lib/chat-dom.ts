import { tick } from 'svelte';

/**
 * Moves focus to a message of the thread once it is rendered (after an ask,
 * an approval or an edit), so keyboard users land where the answer is.
 */
export async function focusMessage(messageId: string, attempts = 20, options: { scroll?: boolean } = {}): Promise<void> {
  await tick();
  for (let i = 0; i < attempts; i++) {
    const el = document.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      // A thread that follows its end scrolls there itself: a smooth scroll to a card that is still growing would stop short.
      if (options.scroll !== false) el.scrollIntoView({ block: 'nearest', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
      return;
    }
    // The reload that brings the message in may still be on its way.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
