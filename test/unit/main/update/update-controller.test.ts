import { EventEmitter } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  UPDATE_CHECK_INTERVAL_MS,
  UpdateController,
  releaseNotesText,
  type Timers,
  type UpdateChannel,
  type UpdateInfoLike,
  type UpdaterLike,
} from '../../../../main/update/update-controller';

/** electron-updater's public surface, driven by the test: events are emitted as AppUpdater emits them. */
class SimulatedUpdater extends EventEmitter implements UpdaterLike {
  channel: string | null = null;
  allowPrerelease = false;
  allowDowngrade = false;
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  installs: Array<[boolean | undefined, boolean | undefined]> = [];
  failNextCheck: Error | null = null;
  async checkForUpdates(): Promise<unknown> {
    this.checks += 1;
    if (this.failNextCheck) {
      const error = this.failNextCheck;
      this.failNextCheck = null;
      this.emit('error', error);
      throw error;
    }
    return null;
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push([isSilent, isForceRunAfter]);
  }
}

class ManualTimers implements Timers {
  #next = 1;
  readonly active = new Map<number, { fn: () => void; ms: number }>();
  setInterval(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.active.set(id, { fn, ms });
    return id;
  }
  clearInterval(handle: unknown): void {
    this.active.delete(handle as number);
  }
  fire(ms: number): void {
    for (const t of [...this.active.values()]) if (t.ms === ms) t.fn();
  }
}

function setup(options: { channel?: UpdateChannel; busy?: boolean; answer?: boolean } = {}) {
  const updater = new SimulatedUpdater();
  const timers = new ManualTimers();
  let channel: UpdateChannel = options.channel ?? 'stable';
  const state = { busy: options.busy ?? false, asked: [] as Array<{ version: string; notes: string }> };
  let answer = options.answer ?? true;
  const controller = new UpdateController({
    updater,
    timers,
    channel: () => channel,
    isBusy: () => state.busy,
    askToRestart: async (info) => {
      state.asked.push(info);
      return answer;
    },
  });
  return {
    updater,
    timers,
    controller,
    state,
    setChannel: (c: UpdateChannel) => void (channel = c),
    setAnswer: (a: boolean) => void (answer = a),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const release: UpdateInfoLike = { version: '0.2.0', releaseNotes: '<h2>What is new</h2><ul><li>Charts &amp; exports</li><li>Faster tables</li></ul>' };

test('on start the stable feed is checked at once and again every few hours, never downgrading', async () => {
  const { updater, timers, controller } = setup();
  controller.start();
  await settle();
  assert.is(updater.checks, 1);
  assert.equal([updater.channel, updater.allowPrerelease, updater.allowDowngrade], ['latest', false, false]);
  assert.ok(updater.autoDownload, 'downloads in the background');
  assert.ok(updater.autoInstallOnAppQuit, 'a postponed update installs at the next quit');
  timers.fire(UPDATE_CHECK_INTERVAL_MS);
  await settle();
  assert.is(updater.checks, 2);
  controller.stop();
  assert.is(timers.active.size, 0, 'stopping leaves no timer behind');
});

test('a beta tester follows the beta feed, which may step back to a re-published good build; switching back to stable applies at once', async () => {
  const { updater, controller, setChannel } = setup({ channel: 'beta' });
  controller.start();
  await settle();
  assert.equal([updater.channel, updater.allowPrerelease, updater.allowDowngrade], ['beta', true, true]);
  setChannel('stable');
  controller.channelChanged();
  await settle();
  assert.equal([updater.channel, updater.allowDowngrade], ['latest', false]);
  assert.is(updater.checks, 2, 'the new feed is checked right away');
  setChannel('beta');
  await controller.check();
  assert.is(updater.channel, 'beta', 'a scheduled check follows the setting as it is now');
  controller.stop();
});

test('a downloaded update asks the user with its release notes and restarts when they agree and nothing runs', async () => {
  const { updater, controller, state } = setup();
  controller.start();
  updater.emit('update-available', release);
  updater.emit('download-progress', { percent: 41.6 });
  assert.equal(controller.state, { kind: 'downloading', version: '0.2.0', percent: 42 });
  updater.emit('update-downloaded', release);
  await settle();
  assert.is(state.asked.length, 1);
  assert.is(state.asked[0]!.version, '0.2.0');
  assert.is(state.asked[0]!.notes, 'What is new\n• Charts & exports\n• Faster tables');
  assert.equal(updater.installs, [[false, true]]);
  assert.equal(controller.state, { kind: 'restarting', version: '0.2.0' });
  controller.stop();
});

test('never restarts mid-query: an accepted update waits until no query runs', async () => {
  const { updater, timers, controller, state } = setup({ busy: true });
  controller.start();
  updater.emit('update-downloaded', release);
  await settle();
  assert.is(state.asked.length, 1);
  assert.equal(updater.installs, [], 'a query is running: no restart');
  assert.equal(controller.state, { kind: 'ready', version: '0.2.0', waitingForQueries: true });
  const idlePolls = [...timers.active.values()].filter((t) => t.ms !== UPDATE_CHECK_INTERVAL_MS);
  assert.is(idlePolls.length, 1);
  idlePolls[0]!.fn();
  assert.equal(updater.installs, [], 'still running');
  state.busy = false;
  idlePolls[0]!.fn();
  assert.equal(updater.installs, [[false, true]]);
  assert.ok(![...timers.active.values()].some((t) => t.ms !== UPDATE_CHECK_INTERVAL_MS), 'the idle poll ends with the restart');
  controller.stop();
});

test('"Later" leaves the update for the next quit and stops checking for newer ones meanwhile', async () => {
  const { updater, timers, controller, state } = setup({ answer: false });
  controller.start();
  await settle();
  updater.emit('update-downloaded', release);
  await settle();
  assert.is(state.asked.length, 1);
  assert.equal(updater.installs, []);
  assert.equal(controller.state, { kind: 'ready', version: '0.2.0', waitingForQueries: false });
  timers.fire(UPDATE_CHECK_INTERVAL_MS);
  await settle();
  assert.is(updater.checks, 1, 'no second download of what is already waiting');
  controller.stop();
});

test('a failed check is reported as a state, does not throw, and the next scheduled check tries again', async () => {
  const { updater, timers, controller } = setup();
  updater.failNextCheck = new Error('net::ERR_INTERNET_DISCONNECTED');
  controller.start();
  await settle();
  assert.equal(controller.state, { kind: 'error', message: 'net::ERR_INTERNET_DISCONNECTED' });
  timers.fire(UPDATE_CHECK_INTERVAL_MS);
  await settle();
  assert.is(updater.checks, 2);
  assert.is(controller.state.kind, 'checking');
  controller.stop();
});

test('release notes in the list form electron-updater gives for several versions read as plain text', () => {
  assert.is(
    releaseNotesText({ version: '0.3.0', releaseNotes: [{ version: '0.3.0', note: '<p>Roles</p>' }, { version: '0.2.0', note: null }] }),
    '0.3.0\nRoles\n\n0.2.0',
  );
  assert.is(releaseNotesText({ version: '0.3.0' }), '');
});

test.run();
