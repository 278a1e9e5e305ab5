/** The formats `graph` prints; apart from graph.ts so the CLI can list them without loading the command. */
export const GRAPH_FORMATS = ['text', 'mermaid', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];
