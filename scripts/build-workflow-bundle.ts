/** Bundles the workflow code ahead of time, so production workers start without webpack. */
import fs from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_SOURCE_PATH } from '../worker/worker';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_SOURCE_PATH, logger: undefined });
  fs.writeFileSync(WORKFLOW_BUNDLE_PATH, code);
  console.log(`workflow bundle written to ${WORKFLOW_BUNDLE_PATH} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
