import { tick } from 'svelte';

/**
 * Moves focus to a message of the thread once it is rendered (after an ask,
 * an approval or an edit), so keyboard users land where the answer is.
 */
export async function focusMessage(messageId: string, attempts = 20): Promise<void> {
  await tick();
  for (let i = 0; i < attempts; i++) {
    const el = document.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: 'nearest', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
      return;
    }
    // The reload that brings the message in may still be on its way.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
