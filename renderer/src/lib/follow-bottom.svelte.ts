import { bottomOf, pinnedAfterScroll } from './chat-scroll';

/**
 * Keeps a scrolling thread at its end while it is pinned there: when messages
 * arrive and when cards above grow (a chart drawn, rows fetched). Scrolling up
 * unpins it; scrolling back down, asking, or opening a conversation pins it again.
 */
export class BottomFollower {
  #pinned = $state.raw(true);
  #scroller: HTMLElement | null = null;
  /** Where the thread was after the last scroll we made or saw while pinned. */
  #lastTop = 0;

  get pinned(): boolean {
    return this.#pinned;
  }

  /** Follows `content` growing inside `scroller`; returns the detach. */
  attach(scroller: HTMLElement, content: HTMLElement): () => void {
    this.#scroller = scroller;
    this.#lastTop = scroller.scrollTop;
    const onScroll = () => {
      this.#pinned = pinnedAfterScroll(this.#pinned, this.#lastTop, scroller);
      if (this.#pinned) this.#lastTop = scroller.scrollTop;
    };
    const observer = new ResizeObserver(() => {
      if (this.#pinned) this.#jump();
    });
    observer.observe(content);
    scroller.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      observer.disconnect();
      scroller.removeEventListener('scroll', onScroll);
      if (this.#scroller === scroller) this.#scroller = null;
    };
  }

  /** Goes to the latest message and stays with it. */
  toLatest(): void {
    this.#pinned = true;
    this.#jump();
  }

  #jump() {
    const s = this.#scroller;
    // Instant: a smooth scroll passes through positions that read as "scrolled up".
    if (!s) return;
    s.scrollTop = bottomOf(s);
    this.#lastTop = s.scrollTop;
  }
}
