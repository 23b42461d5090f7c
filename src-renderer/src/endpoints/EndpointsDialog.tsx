import { useState, useSyncExternalStore } from 'react';
import type { EndpointInfo, RevealedEndpointKey } from '../../../nodes/sdk/endpoints.ts';
import { errorText, useEditor } from '../context.ts';
import { Modal } from '../files/Modal.tsx';
import type { EndpointsStore } from './endpoints-store.ts';

function Copyable({ label, text, testId }: { label: string; text: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="snippet">
      <div className="snippet-head">
        <span>{label}</span>
        <button
          onClick={() =>
            void navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
          data-testid={`copy-${testId}`}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre className="mono" data-testid={`snippet-${testId}`}>
        {text}
      </pre>
    </div>
  );
}

function EndpointRow({ e, store, onRevealed }: { e: EndpointInfo; store: EndpointsStore; onRevealed(k: RevealedEndpointKey): void }) {
  const { api, toast } = useEditor();
  const [busy, setBusy] = useState(false);
  const stop = async () => {
    setBusy(true);
    try {
      await api.stopEndpoint(e.id);
      toast(`Stopped endpoint ${e.id}`, 'success');
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
      void store.refresh();
    }
  };
  const reveal = async () => {
    try {
      onRevealed(await api.revealEndpointKey(e.id));
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      void store.refresh();
    }
  };
  return (
    <li className={`endpoint endpoint-${e.status}`} data-testid={`endpoint-${e.id}`}>
      <div className="endpoint-main">
        <span className={`badge badge-endpoint-${e.status}`} data-testid={`endpoint-status-${e.id}`}>
          {e.status}
        </span>
        <b>{e.name}</b>
        <span className="muted">
          {e.backend} · {e.id}
        </span>
      </div>
      <div className="mono endpoint-url">{e.url || '(not listening)'}</div>
      <div className="muted endpoint-meta">
        {e.status === 'running' ? `${e.requestsServed ?? 0} request${e.requestsServed === 1 ? '' : 's'} served · ${e.queued ?? 0} waiting (at most ${e.queueLimit}) · ` : ''}
        max_tokens ≤ {e.maxTokens} · since {e.startedAt.replace('T', ' ').slice(0, 19)}
      </div>
      <div className="muted endpoint-model" title={e.modelPath}>
        {e.modelPath}
      </div>
      {e.logTail && <pre className="endpoint-log">{e.logTail}</pre>}
      <div className="endpoint-actions">
        {e.keyRevealable && (
          <button onClick={() => void reveal()} data-testid={`reveal-${e.id}`} title="The key is shown once; afterwards it is only in its file">
            Show key once
          </button>
        )}
        {!e.keyRevealable && <span className="muted">key in {e.keyFile}</span>}
        <button className="danger" disabled={busy} onClick={() => void stop()} data-testid={`stop-${e.id}`}>
          {e.status === 'stopped' ? 'Remove' : 'Stop'}
        </button>
      </div>
    </li>
  );
}

/** Endpoints: what runs, where, for which model; stop one; its key shown once with calls to paste. */
export function EndpointsDialog({ store, onClose }: { store: EndpointsStore; onClose(): void }) {
  const list = useSyncExternalStore(store.subscribe, store.getList);
  const error = useSyncExternalStore(store.subscribe, store.getError);
  const [revealed, setRevealed] = useState<RevealedEndpointKey | null>(null);
  return (
    <Modal title="Endpoints" onClose={onClose}>
      <p className="muted">
        Local OpenAI-compatible endpoints started by a Deploy endpoint node or <code>weft deploy</code>. They keep running after the run, and after Weft closes, until stopped here or with{' '}
        <code>weft endpoints stop</code>.
      </p>
      {error && <div className="wnode-error">{error}</div>}
      {!list.length && <p data-testid="no-endpoints">No endpoints. Add a Deploy endpoint node after a model and run it.</p>}
      <ul className="endpoints" data-testid="endpoints">
        {list.map((e) => (
          <EndpointRow key={e.id} e={e} store={store} onRevealed={setRevealed} />
        ))}
      </ul>
      {revealed && (
        <div className="revealed" data-testid="revealed-key">
          <h3>Key of {revealed.id}: shown once</h3>
          <Copyable label="Key" text={revealed.key} testId="key" />
          <Copyable label="curl" text={revealed.snippets.curl} testId="curl" />
          <Copyable label="Python (openai)" text={revealed.snippets.python} testId="python" />
          <Copyable label="JavaScript (openai)" text={revealed.snippets.javascript} testId="javascript" />
        </div>
      )}
    </Modal>
  );
}
