/**
 * The set-up the end-to-end suites share (Jest hooks; not re-exported from `../lifecycle.ts`,
 * which the demo and the bench load without Jest): one AmplifyBackend emulator per file and, per
 * test, a new virtual clock that the stand-in, the handlers and the emulator all read (as in AWS,
 * where the functions and the service share one time), the emulator reset and seeded, and every
 * stack the test made closed after it, so that no function run outlives its test.
 */
import { AmplifyBackendEmulator } from '../emulator';
import { VirtualClock } from './clock';
import { LocalCloudFormation } from './cloudformation';
import type { LocalCloudFormationOptions } from './types';

export interface EndToEndSuite {
  readonly emulator: AmplifyBackendEmulator;
  /** A stand-in stack on this test's clock and the emulator, closed after the test. */
  cloudFormation(options: Partial<LocalCloudFormationOptions> & Pick<LocalCloudFormationOptions, 'stackName'>): LocalCloudFormation;
}

export function endToEndSuite(options: {
  /** Real time each waiter wait takes at least, so that code outside polls gets a turn. */
  readonly realPauseMs: number;
  /** The apps, environments and APIs the emulator starts each test with. */
  seed(emulator: AmplifyBackendEmulator): void;
}): EndToEndSuite {
  let emulator: AmplifyBackendEmulator | undefined;
  let clock = new VirtualClock({ realPauseMs: options.realPauseMs, functionsReadIt: true });
  const stacks: LocalCloudFormation[] = [];
  const running = () => {
    if (!emulator) throw new Error('endToEndSuite: the emulator starts in beforeAll');
    return emulator;
  };

  beforeAll(async () => {
    emulator = await AmplifyBackendEmulator.start({ now: () => clock.now() });
  });
  beforeEach(() => {
    clock = new VirtualClock({ realPauseMs: options.realPauseMs, functionsReadIt: true });
    running().reset();
    options.seed(running());
  });
  afterEach(async () => {
    await Promise.all(stacks.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  return {
    get emulator() {
      return running();
    },
    cloudFormation(stackOptions) {
      const cfn = new LocalCloudFormation({ endpoint: running().endpoint, clock, ...stackOptions });
      stacks.push(cfn);
      return cfn;
    },
  };
}
