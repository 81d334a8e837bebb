/**
 * Patterns with no dependencies, importable on their own (`@telltale/contracts/dist/src/patterns`)
 * by code that must stay small, such as the tracker's pixel processes, without loading every
 * topic schema.
 */

/** Canonical lower-case UUID text (any version): the one definition every schema and parser uses. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A key id in a key-ring setting (`kid:base64key,…`). */
export const KEY_ID_PATTERN = /^[a-z0-9]{1,8}$/;
