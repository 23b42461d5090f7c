/** Size limits shared by the graph parser, the web server and the page (no dependencies: the page imports it). */
export const MAX_GRAPH_BYTES = 16 * 1024 * 1024;
/** The largest message the web server accepts: a graph at its limit plus room for the call around it. */
export const MAX_MESSAGE_BYTES = MAX_GRAPH_BYTES + 1024 * 1024;
