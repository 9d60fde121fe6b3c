/**
 * Custom search attributes, shared by the workflows (which upsert them on every transition) and the
 * start-up code (which registers them), so operators can filter in the Temporal UI, e.g.
 * `RhsStatus = "AWAITING_CONFIRMATION" AND RhsClientId = "..."`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RhsStatus = defineSearchAttributeKey('RhsStatus', SearchAttributeType.KEYWORD);
export const RhsClientId = defineSearchAttributeKey('RhsClientId', SearchAttributeType.KEYWORD);
export const RhsSite = defineSearchAttributeKey('RhsSite', SearchAttributeType.KEYWORD);
export const RhsPriority = defineSearchAttributeKey('RhsPriority', SearchAttributeType.KEYWORD);
export const RhsNumber = defineSearchAttributeKey('RhsNumber', SearchAttributeType.KEYWORD);
export const RhsPeriod = defineSearchAttributeKey('RhsPeriod', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [RhsStatus, RhsClientId, RhsSite, RhsPriority, RhsNumber, RhsPeriod];
