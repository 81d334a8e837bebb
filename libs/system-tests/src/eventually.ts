// Shared with the library tests; kept here so the system tests import it as before.
export { eventually } from '@telltale/testing';
