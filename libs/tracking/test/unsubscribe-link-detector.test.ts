import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { looksLikeUnsubscribeLink } from '../src/unsubscribe-link-detector';

describe('looksLikeUnsubscribeLink', () => {
  const cases: { url: string; text: string; expected: boolean }[] = [
    // by link text
    { url: 'https://e.example/x', text: 'Unsubscribe', expected: true },
    { url: 'https://e.example/x', text: 'Click here to unsubscribe.', expected: true },
    { url: 'https://e.example/x', text: 'UNSUBSCRIBE FROM THIS LIST', expected: true },
    { url: 'https://e.example/x', text: 'Opt-out', expected: true },
    { url: 'https://e.example/x', text: 'opt out of these emails', expected: true },
    { url: 'https://e.example/x', text: 'Manage preferences', expected: true },
    { url: 'https://e.example/x', text: 'Update your email preferences', expected: true },
    { url: 'https://e.example/x', text: 'Email preferences', expected: true },
    { url: 'https://e.example/x', text: 'Preference Centre', expected: true },
    { url: 'https://e.example/x', text: 'Abmelden', expected: true },
    { url: 'https://e.example/x', text: 'Newsletter abbestellen', expected: true },
    { url: 'https://e.example/x', text: 'Se désinscrire', expected: true },
    { url: 'https://e.example/x', text: 'Vous pouvez vous désabonner ici', expected: true },
    { url: 'https://e.example/x', text: 'Darse de baja', expected: true },
    { url: 'https://e.example/x', text: 'Cancelar suscripción', expected: true },
    { url: 'https://e.example/x', text: 'Disiscriviti', expected: true },
    { url: 'https://e.example/x', text: 'Annulla l’iscrizione', expected: true },
    { url: 'https://e.example/x', text: 'Descadastre-se', expected: true },
    { url: 'https://e.example/x', text: 'Cancelar inscrição', expected: true },
    { url: 'https://e.example/x', text: 'Afmelden', expected: true },
    { url: 'https://e.example/x', text: 'Uitschrijven', expected: true },
    { url: 'https://e.example/x', text: 'Avregistrera dig', expected: true },
    { url: 'https://e.example/x', text: 'Afmeld nyhedsbrev', expected: true },
    { url: 'https://e.example/x', text: 'Wypisz się', expected: true },
    // by URL
    { url: 'https://e.example/unsubscribe?u=1&id=2', text: 'here', expected: true },
    { url: 'https://us1.list-manage.com/unsubscribe?u=abc', text: 'click', expected: true },
    { url: 'https://e.example/email/optout/123', text: 'here', expected: true },
    { url: 'https://e.example/opt_out', text: 'here', expected: true },
    { url: 'https://e.example/manage-preferences?t=1', text: 'here', expected: true },
    { url: 'https://e.example/se-d%C3%A9sinscrire', text: 'ici', expected: true },
    { url: 'https://e.example/?action=abmelden', text: 'hier', expected: true },
    { url: 'https://e.example/darse-de-baja', text: 'aquí', expected: true },
    { url: 'https://e.example/unsub/abc', text: 'x', expected: true },
    // ordinary links
    { url: 'https://e.example/pricing', text: 'See pricing', expected: false },
    { url: 'https://e.example/subscribe', text: 'Subscribe to our newsletter', expected: false },
    { url: 'https://e.example/x', text: 'Book a demo', expected: false },
    { url: 'https://e.example/preferences', text: 'Your account settings', expected: false },
    { url: 'https://e.example/baja-california', text: 'Trip to Baja', expected: false },
    { url: 'https://e.example/options', text: 'Options', expected: false },
    { url: 'https://e.example/output', text: 'Output report', expected: false },
    { url: 'https://e.example/%E0%A4%A', text: 'malformed percent-encoding', expected: false },
  ];
  for (const { url, text, expected } of cases) {
    it(`${expected ? 'flags' : 'ignores'} "${text}" → ${url}`, () => {
      assert.equal(looksLikeUnsubscribeLink(url, text), expected);
    });
  }
});
