/** Every workflow the worker runs: the entry of the workflow bundle. */
export { requestWorkflow } from './request/workflow';
