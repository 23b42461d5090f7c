/** Every problem with a graph, wherever it is found, has this shape so an editor can put it on the right node. */
export type GraphErrorCode =
  | 'invalid_json'
  | 'too_large'
  | 'too_deep'
  | 'forbidden_key'
  | 'schema'
  | 'unknown_format'
  | 'unsupported_version'
  | 'duplicate_node_id'
  | 'duplicate_edge_id'
  | 'unknown_node_type'
  | 'unsupported_node_version'
  | 'unknown_node'
  | 'unknown_port'
  | 'port_type_mismatch'
  | 'missing_input'
  | 'multiple_edges_into_input'
  | 'cycle'
  | 'unknown_param'
  | 'param_type'
  | 'param_out_of_range'
  | 'param_required'
  | 'param_invalid'
  | 'node_invalid'
  | 'node_warning'
  | 'path_outside_workspace'
  | 'file_not_found'
  | 'invalid_file';

export interface GraphError {
  code: GraphErrorCode;
  message: string;
  /** Set on a warning: shown beside errors, but it does not keep the graph from running. */
  severity?: 'warning';
  nodeId?: string;
  edgeId?: string;
  port?: string;
  param?: string;
  /** JSON path inside the file, for schema errors ("nodes[2].position.x"). */
  path?: string;
  /** 1-based line and column, for JSON syntax errors. */
  line?: number;
  column?: number;
}

/** One line a person can read: where, what, and the code tools can match on. */
export function formatGraphError(error: GraphError, file?: string): string {
  const place: string[] = [];
  if (error.nodeId) place.push(`node "${error.nodeId}"`);
  if (error.edgeId) place.push(`edge "${error.edgeId}"`);
  if (error.port) place.push(`port "${error.port}"`);
  if (error.param) place.push(`param "${error.param}"`);
  if (error.path && !error.nodeId && !error.edgeId) place.push(`at ${error.path}`);
  const parts = [file ? file + (error.line ? `:${error.line}:${error.column ?? 1}` : '') : '', place.join(' '), `${error.message} [${error.code}]`];
  return parts.filter(Boolean).join(': ');
}

/** Thrown where a graph must be valid to go on (running it); carries every problem found. */
export class GraphInvalidError extends Error {
  constructor(readonly errors: GraphError[]) {
    super(`The graph has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n` + errors.map((e) => '  ' + formatGraphError(e)).join('\n'));
    this.name = 'GraphInvalidError';
  }
}
