/** How big the suite runs: the default fits CI (~8 min on 2 cores); RHS_FAULTS_SCALE=large is for a long soak. */
import { faultsScale } from './report';

const SCALES = {
  default: { lifecycles: 200, concurrentFilings: 100, updateRetries: 50, hostileCallsPerRoute: 160, outageMs: 30_000 },
  large: { lifecycles: 1000, concurrentFilings: 500, updateRetries: 300, hostileCallsPerRoute: 3000, outageMs: 60_000 },
};

export const scale = SCALES[faultsScale()];
