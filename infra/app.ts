import { createApp } from './create-app.ts';

// The CDK CLI runs this file (see cdk.json) and collects the synthesised templates on exit.
createApp();
