/** Column description for VirtualTable. */
export interface TableColumn {
  key: string;
  label: string;
  /** Minimum width in px and share of the remaining width (CSS fr). */
  min: number;
  grow?: number;
  align?: 'start' | 'end';
  /** Sort code sent to the server when the header is clicked; absent = not sortable. */
  sortKey?: string;
  /** Hide the column when the table is narrower than this (px), e.g. with the panel open. */
  hideBelow?: number;
}

export interface TableSort {
  key: string;
  descending: boolean;
}
