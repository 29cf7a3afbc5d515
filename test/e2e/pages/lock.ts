import { waitForText, type E2EApp } from '../../support/e2e';

/** The lock screen: lock from the status bar, pick a profile, unlock with its PIN. */
export class LockScreen {
  constructor(private readonly app: E2EApp) {}

  get screen() {
    return this.app.browser.$('[data-testid="lock-screen"]');
  }

  /** Locks from the status bar and waits for the lock screen. */
  async lock(): Promise<void> {
    await this.app.browser.$('[data-testid="status-lock"]').click();
    await this.screen.waitForDisplayed();
  }

  /** Picks the profile named `name` (when there are several) and unlocks it with `pin`; waits for the app's navigation. */
  async unlockAs(name: string, pin: string): Promise<void> {
    const $ = (selector: string) => this.app.browser.$(selector);
    await this.screen.waitForDisplayed();
    const choice = $(`//*[@data-testid="profile-choice"][starts-with(normalize-space(.), "${name}")]`);
    await choice.click();
    await waitForText(this.screen, `unlock ${name}'s profile`);
    await $('input[name="secret"]').setValue(pin);
    await $('button[type="submit"]').click();
    await $('nav').waitForDisplayed();
  }
}
