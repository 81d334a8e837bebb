/** The small pages of /u/{token}: plain HTML, no script, no external resource, readable without CSS. */

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escape(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; padding: 2rem 1rem; color: #1a1a1a; background: #fafafa; }
  main { max-width: 32rem; margin: 0 auto; background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 1.5rem; }
  h1 { font-size: 1.4rem; margin-top: 0; }
  button { font: inherit; padding: 0.6rem 1.2rem; border: 0; border-radius: 6px; background: #1f4fd1; color: #fff; cursor: pointer; }
  button:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The GET page: nothing happens until the button is pressed (link scanners follow GETs). */
export function confirmPage(address: string): string {
  return layout(
    'Unsubscribe',
    `<h1>Unsubscribe</h1>
<p>Stop receiving these emails at <strong>${escape(address)}</strong>?</p>
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<input type="hidden" name="source" value="page">
<button type="submit">Unsubscribe</button>
</form>`,
  );
}

export function donePage(address: string): string {
  return layout('Unsubscribed', `<h1>You are unsubscribed</h1>\n<p role="status">We will not email <strong>${escape(address)}</strong> again from this sender.</p>`);
}

export function invalidPage(): string {
  return layout(
    'Link not valid',
    `<h1>This unsubscribe link is not valid</h1>\n<p>The link may have been altered or cut short. Use the unsubscribe link in the email again, or reply to the email and ask to be removed.</p>`,
  );
}
