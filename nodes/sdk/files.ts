/** Browsing for files to use as node params, and listing what a node wrote. */

export interface FolderEntry {
  name: string;
  path: string;
  kind: 'file' | 'folder';
  size?: number;
  modifiedAt?: string;
}

export interface FolderListing {
  path: string;
  /** null at the top of a browsable root. */
  parent: string | null;
  entries: FolderEntry[];
  /** More entries than a listing returns. */
  truncated: boolean;
  /** Where browsing may start: home, the workspace, the examples. */
  roots: Array<{ label: string; path: string }>;
}

export interface ArtifactFile {
  /** Relative to the node's artifact folder, with forward slashes. */
  path: string;
  size: number;
}

export interface ArtifactFiles {
  dir: string;
  files: ArtifactFile[];
  truncated: boolean;
}
