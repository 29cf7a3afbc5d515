import fs from 'node:fs';
import path from 'node:path';
import { MemorySecretStore } from '../../engine/secrets/secret-store';
import { openTestEngine, type TestEngine } from './engine';
import { tempDir } from './tmp';

export const VIEWER_PIN = '730194';

/** An unlocked owner with a CSV source (people.csv: Ada, Grace) shared with one viewer, Ana. */
export async function ownerAndViewer(): Promise<{ te: TestEngine; sourceId: string; viewerId: string; done: () => Promise<void> }> {
  const files = tempDir();
  fs.writeFileSync(path.join(files.path, 'people.csv'), 'id,name\n1,Ada\n2,Grace\n');
  const te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true });
  const sourceId = (await te.ok('sources.create', { name: 'People', type: 'file', connection: { paths: [path.join(files.path, 'people.csv')] } })).id;
  const viewer = await te.ok('auth.addViewer', { name: 'Ana', kind: 'pin', secret: VIEWER_PIN });
  await te.ok('auth.shareSource', { profileId: viewer.id, sourceId, shared: true });
  return {
    te,
    sourceId,
    viewerId: viewer.id,
    done: async () => {
      await te.close();
      files.remove();
    },
  };
}
