import type { E2EApp } from '../../support/e2e';

/** Settings: the model card and Diagnostics (the measured stages, traces). */
export class SettingsPage {
  constructor(private readonly app: E2EApp) {}

  async open(): Promise<void> {
    await this.app.open('#/settings');
  }

  get modelMode() {
    return this.app.browser.$('[data-testid="model-mode"]');
  }

  get modelCard() {
    return this.app.browser.$('[data-testid="model-card"]');
  }

  get diagnostics() {
    return this.app.browser.$('[data-testid="diagnostics-card"]');
  }

  get stageTable() {
    return this.app.browser.$('[data-testid="stage-table"]');
  }

  /** The row of one measured stage (generation, validation, execution …). */
  stageRow(stage: string) {
    return this.app.browser.$(`[data-testid="stage-table"] tr[data-stage="${stage}"]`);
  }

  get traceView() {
    return this.app.browser.$('[data-testid="trace-view"]');
  }

  /** Looks a question up by a run or trace id in Diagnostics. */
  async lookUpTrace(id: string): Promise<void> {
    await this.app.browser.$('[data-testid="trace-lookup"]').setValue(id);
    await this.app.browser.$('[data-testid="open-trace"]').click();
  }
}
