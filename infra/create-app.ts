import { App, type AppProps } from 'aws-cdk-lib';
import { addComplianceChecks } from './checks.ts';
import { OutboundStatusStack } from './outbound-status-stack.ts';
import { parseSettings, SETTING_NAMES, type SettingsInput } from './settings.ts';

export const DEFAULT_STACK_NAME = 'ThuliumOutboundStatus';

export interface CreateAppOptions extends AppProps {
  /** Take precedence over CDK context. */
  settings?: SettingsInput;
  stackName?: string;
}

/**
 * The app `cdk.json` runs, with the checks every synth must pass: cdk-nag's AWS Solutions pack and
 * the Control Tower proactive controls through cfn-guard. A finding fails the synth unless it is
 * acknowledged on its construct, with a reason.
 */
export function createApp(options: CreateAppOptions = {}) {
  const { settings: overrides, stackName, ...appProps } = options;
  const app = new App(appProps);
  const fromContext = Object.fromEntries(
    SETTING_NAMES.map((name) => [name, app.node.tryGetContext(name)]).filter(([, value]) => value !== undefined),
  );
  const settings = parseSettings({ ...fromContext, ...overrides });
  const name: string = stackName ?? app.node.tryGetContext('stackName') ?? DEFAULT_STACK_NAME;
  // Queue names derive from it, and SQS allows 80 characters: "<stack>-updates-dlq.fifo".
  if (!/^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(name)) {
    throw new Error(
      `Invalid stack name "${name}": letters, digits and hyphens, starting with a letter, at most 63 characters`,
    );
  }
  const stack = new OutboundStatusStack(app, name, {
    settings,
    description:
      'thulium-outbound-status: sets Thulium outbound-campaign statuses by phone number (API Gateway and SQS)',
  });
  addComplianceChecks(app);
  return { app, stack, settings };
}
