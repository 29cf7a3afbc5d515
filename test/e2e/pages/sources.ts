import { addConfirmedPgSource, type E2EApp } from '../../support/e2e';
import type { TestDatabase } from '../../support/databases';

/** Sources, as the specs set them up: through the engine (app.call), which the app's page also uses. */
export class Sources {
  constructor(private readonly app: E2EApp) {}

  /** A PostgreSQL source for `db`, tested, its superuser login risks confirmed once as the owner would; returns its id. */
  addConfirmedPg(db: TestDatabase, name = 'Chinook'): Promise<string> {
    return addConfirmedPgSource(this.app, db, name);
  }
}
