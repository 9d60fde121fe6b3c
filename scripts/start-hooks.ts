import type { ApiContext } from '../api/context';

/** Start-up work that needs the running services (the billing schedule hooks in here). */
export async function afterStart(_context: ApiContext): Promise<void> {}
