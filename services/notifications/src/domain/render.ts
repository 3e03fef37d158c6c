/**
 * E-mails rendered from Handlebars templates: `{{…}}` escapes HTML by default, so people's words
 * (comments, names, messages) never become markup. The text part is compiled with escaping off,
 * since it is not HTML.
 */
import Handlebars from 'handlebars';
import type { Digest, DigestLine } from './notifications';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface EmailFrame {
  tenantName: string;
  recipientName?: string;
  /** Absent for transactional e-mails (account), which cannot be turned off. */
  unsubscribeUrl?: string;
  /** Where people set their preferences, named in the footer. */
  categoryLabel: string;
}

const hbs = Handlebars.create();

const HTML = hbs.compile(
  `<!doctype html><html><body style="font-family:sans-serif">
<p>Hello{{#if recipientName}} {{recipientName}}{{/if}},</p>
{{#if intro}}<p>{{intro}}</p>{{/if}}
<ul>{{#each lines}}
<li><p>{{headline}}</p>{{#if detail}}<blockquote style="color:#444">{{detail}}</blockquote>{{/if}}{{#if link}}<p><a href="{{link}}">{{link}}</a></p>{{/if}}</li>{{/each}}
</ul>
{{#if more}}<p>and {{more}} more</p>{{/if}}
<p style="color:#666">{{tenantName}} on Switchyard · {{categoryLabel}}{{#if unsubscribeUrl}} · <a href="{{unsubscribeUrl}}">Unsubscribe from {{categoryLabel}}</a>{{/if}}</p>
</body></html>`,
  { strict: false },
);

const TEXT = hbs.compile(
  `Hello{{#if recipientName}} {{recipientName}}{{/if}},
{{#if intro}}

{{intro}}
{{/if}}
{{#each lines}}

- {{headline}}{{#if detail}}
  > {{detail}}{{/if}}{{#if link}}
  {{link}}{{/if}}
{{/each}}
{{#if more}}

and {{more}} more
{{/if}}

--
{{tenantName}} on Switchyard · {{categoryLabel}}{{#if unsubscribeUrl}}
Unsubscribe from {{categoryLabel}}: {{unsubscribeUrl}}{{/if}}
`,
  { noEscape: true },
);

interface Line extends Omit<DigestLine, 'at'> {
  link?: string;
}

function render(
  subject: string,
  frame: EmailFrame,
  lines: Line[],
  more: number,
  intro?: string,
): RenderedEmail {
  const context = { ...frame, lines, more, intro };
  return { subject, html: HTML(context), text: TEXT(context) };
}

/** One notification's own e-mail. */
export function renderSingle(
  frame: EmailFrame,
  notification: { subject: string; headline: string; detail?: string; link?: string },
): RenderedEmail {
  const { headline, detail, link } = notification;
  return render(
    notification.subject,
    frame,
    [{ headline, ...(detail ? { detail } : {}), ...(link ? { link } : {}) }],
    0,
  );
}

/** A window's digest. */
export function renderDigest(frame: EmailFrame, digest: Digest): RenderedEmail {
  return render(digest.subject, frame, digest.lines, digest.more, `${digest.subject}, newest first:`);
}

const PAGE = hbs.compile(
  `<!doctype html><html><head><meta charset="utf-8"><title>Unsubscribe</title></head>
<body style="font-family:sans-serif">
{{#if valid}}<p>Stop e-mails about {{categoryLabel}}?</p>
<form method="post" action="">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>{{else}}<p>This unsubscribe link is not valid.</p>{{/if}}
</body></html>`,
);

/** The page an unsubscribe link's GET shows: a button, never an unsubscription by itself. */
export function renderUnsubscribePage(categoryLabel: string | undefined): string {
  return PAGE({ valid: categoryLabel !== undefined, categoryLabel });
}

export const unsubscribedPage = (categoryLabel: string) =>
  hbs.compile(
    '<!doctype html><html><body style="font-family:sans-serif"><p>You will no longer get e-mails about {{categoryLabel}}.</p></body></html>',
  )({ categoryLabel });
