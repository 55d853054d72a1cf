// The tree layouts off the main thread: an expansion lays out the whole grown tree (d3's tidy tree),
// which on a big dump held the page for a large part of the expansion's longest task.
import { type LayoutRequest, layOut } from "./layout-transfer.ts";

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (e: MessageEvent<LayoutRequest>) => {
  const reply = layOut(e.data);
  scope.postMessage(reply, [reply.order.buffer, reply.xs.buffer, reply.ys.buffer, reply.room.buffer]);
};
