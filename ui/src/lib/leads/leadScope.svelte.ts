/**
 * The saved segment the lead list is limited to, kept while the user moves between areas:
 * the Segments view's "open in the lead list" sets it before it navigates to the leads.
 */
export const leadScope = $state<{ segment: number | null }>({ segment: null });
