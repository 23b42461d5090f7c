import { useSyncExternalStore } from 'react';
import type { EndpointInfo } from '../../../nodes/sdk/endpoints.ts';
import type { EndpointsStore } from './endpoints-store.ts';

/** Which endpoint a deploy node made: the id its last run output, else the model name it sets. */
export function endpointOfNode(list: readonly EndpointInfo[], outputId: string | undefined, name: unknown): EndpointInfo | undefined {
  if (outputId) return list.find((e) => e.id === outputId);
  return typeof name === 'string' && name ? list.find((e) => e.name === name) : undefined;
}

/** On a deploy node: its endpoint's status and address, kept current while the node is on the canvas. */
export function DeployStatus({ store, outputId, name }: { store: EndpointsStore; outputId: string | undefined; name: unknown }) {
  const list = useSyncExternalStore(store.subscribe, store.getList);
  const e = endpointOfNode(list, outputId, name);
  if (!e) return null;
  return (
    <div className="wnode-endpoint" data-testid="deploy-endpoint-status" data-status={e.status} title={e.modelPath}>
      <span className={`badge badge-endpoint-${e.status}`}>{e.status}</span> <span className="mono">{e.url}</span>
      {e.status === 'running' && <span className="muted"> · {e.requestsServed ?? 0} served</span>}
    </div>
  );
}
