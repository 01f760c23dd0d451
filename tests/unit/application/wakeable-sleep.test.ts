import { expect } from 'chai';
import { WakeableSleep } from '../../../src/application/shared/wakeable-sleep';

describe('WakeableSleep', () => {
  it('sleeps the full time when nobody wakes it', async () => {
    const sleeper = new WakeableSleep();
    const started = Date.now();
    await sleeper.sleep(30);
    expect(Date.now() - started).to.be.at.least(25);
  });

  it('ends the current sleep at wake, and a wake with nobody sleeping does nothing', async () => {
    const sleeper = new WakeableSleep();
    sleeper.wake();
    let woke = false;
    const sleeping = sleeper.sleep(60_000).then(() => (woke = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(woke).to.equal(false);
    sleeper.wake();
    await sleeping;
    expect(woke).to.equal(true);
  });
});
