/**
 * Recognises unsubscribe / opt-out / preference-centre links, which must never go through the
 * click redirect: a "click" on them is not engagement, and mailbox providers expect them to lead
 * straight to the sender's own page (RFC 8058 covers the header variant; this is the in-body one).
 *
 * Both the link text and the href are normalised to lower-case ASCII words (diacritics removed,
 * punctuation and URL separators turned into spaces) and matched against one phrase list, so
 * "Se désinscrire", "/se-desinscrire" and "?action=se_desinscrire" are the same thing.
 */

const UNSUBSCRIBE_PHRASES: readonly string[] = [
  // English
  'unsubscrib\\w*',
  'unsub',
  'opt ?out',
  '(manage|update|change|edit) (your |my )?((email|e mail|subscription|mailing|communication|notification|newsletter) )?preferences',
  '(email|e mail|subscription|mailing|communication|newsletter) preferences',
  'preference cent(er|re)',
  // German
  'abmelden',
  'abbestellen',
  'newsletter austragen',
  // French
  'desinscri\\w*',
  'desabonn\\w*',
  // Spanish
  '(darse|darte|darme|dese|dar) de baja',
  '(cancelar|anular) (la |tu |su )?suscripcion',
  // Italian
  'disiscri\\w*',
  '(annulla|cancella) (l )?iscrizione',
  // Portuguese
  'descadastr\\w*',
  'cancelar (a |sua )?(inscricao|subscricao|assinatura)',
  // Dutch
  'afmelden',
  'uitschrijven',
  // Scandinavian
  'avregistrer\\w*',
  'avsluta prenumeration\\w*',
  'afmeld\\w*',
  'avmeld\\w*',
  // Polish
  'wypisz sie',
  'wypisac sie',
];

const UNSUBSCRIBE_PATTERN = new RegExp(`(^| )(${UNSUBSCRIBE_PHRASES.join('|')})( |$)`);

function safeDecodeUriComponent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Lower-case, diacritic-free words separated by single spaces. */
export function normaliseForMatching(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function mentionsUnsubscribe(text: string): boolean {
  return UNSUBSCRIBE_PATTERN.test(normaliseForMatching(text));
}

/** True when the link's URL or its visible text reads as an unsubscribe / preferences link. */
export function looksLikeUnsubscribeLink(url: string, linkText: string): boolean {
  return mentionsUnsubscribe(linkText) || mentionsUnsubscribe(safeDecodeUriComponent(url));
}
