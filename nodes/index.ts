/**
 * The registry of node types: an explicit list, no global mutable maps. The host reads it for
 * specs and validation; worker processes import it to find run().
 */
import type { AnyNodeDefinition } from './sdk/index.ts';
import textLoad from './text.load/index.ts';
import textClean from './text.clean/index.ts';
import textStats from './text.stats/index.ts';

export const nodeRegistry: readonly AnyNodeDefinition[] = [textLoad, textClean, textStats];
