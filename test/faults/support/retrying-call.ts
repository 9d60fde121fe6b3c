/** A call repeated like a careful client does under faults: same request (and key) again on 5xx, 429 or no answer. */
import { callApi, type ApiAnswer, type ApiCall } from './api-client';

export async function callUntilAnswered(apiUrl: string, call: ApiCall, deadlineMs = 180_000): Promise<ApiAnswer> {
  const until = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt += 1) {
    const answer = await callApi(apiUrl, { timeoutMs: 20_000, ...call });
    const retryable = answer.status === 0 || answer.status >= 500 || answer.status === 429;
    if (!retryable || Date.now() > until) return answer;
    await new Promise((resolve) => setTimeout(resolve, Math.min(3000, 200 * 2 ** attempt)));
  }
}
