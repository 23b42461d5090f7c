import { useEffect, useState } from 'react';
import type { GraphError } from '../../../nodes/sdk/errors.ts';
import { useDoc, useEditor } from '../context.ts';

/**
 * The engine's own checks of the graph being edited, shortly after each edit, for the canvas and
 * the inspector to show on the nodes, ports and params they concern. A refused run sets them too.
 * Warnings (shown, not blocking) come apart.
 */
export function useValidation(graphDir: string | undefined, readOnly: boolean) {
  const { api } = useEditor();
  const { graph } = useDoc();
  const [errors, setErrors] = useState<GraphError[]>([]);
  const [warnings, setWarnings] = useState<GraphError[]>([]);
  useEffect(() => {
    if (readOnly) {
      setWarnings([]);
      return setErrors([]);
    }
    const t = setTimeout(() => {
      api.validateGraph(graph, graphDir).then(
        (r) => {
          setErrors(r.errors);
          setWarnings(r.warnings ?? []);
        },
        () => {},
      );
    }, 250);
    return () => clearTimeout(t);
  }, [api, graph, graphDir, readOnly]);
  return [errors, setErrors, warnings] as const;
}
