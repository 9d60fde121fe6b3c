/**
 * Workflow histories to and from the proto3 JSON of Temporal's tools (`temporal workflow show -o json`).
 *
 * Why not `historyToJSON`/`historyFromJSON` of @temporalio/common: in this install @temporalio/common
 * and @temporalio/proto each carry their own copy of protobufjs (the root holds another major version),
 * and protojson's `instanceof Type` check fails across copies ("type must be a Type"). So this uses the
 * protojson extension of the very protobufjs copy @temporalio/proto was built with; once the copies are
 * deduplicated it resolves to the shared one and still works.
 */
import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import type { History } from '@temporalio/common/lib/proto-utils';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

const protoPackageDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
// Resolved from @temporalio/proto's own location, so it is the protobufjs copy its types belong to.
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoPackageDir] })) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyToJson(history: History): string {
  const message = proto.temporal.api.history.v1.History.fromObject(history);
  return `${JSON.stringify(protojson.toJson(historyType, message), null, 1)}\n`;
}

/** A History message (eventIds as Long), which the replayer takes as it is. */
export function historyFromJson(json: string): History {
  const history = protojson.fromJson(historyType, JSON.parse(json), { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a workflow history');
  return history as History;
}
