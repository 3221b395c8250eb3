// Reading a page for the integrity probe, as a browser would show it but without running any
// script: the visible text (not script, style or template; noscript's content counts), the title,
// the meta tags search engines read, alt and title attributes, link text, and the links and
// embeds with their domains. Hidden elements (inline style or the `hidden` attribute) pass their
// hiding on to everything inside them. Each piece keeps where it is in the source, so a finding can
// show the source around it.
import { Parser } from 'htmlparser2';

export type TextPlace = 'text' | 'title' | 'meta' | 'alt' | 'link';

/** A piece of the page's text and the source range it came from. */
export interface PageText {
  text: string;
  where: TextPlace;
  /** Why it is hidden (`display:none`, …), null when a visitor sees it. */
  hidden: string | null;
  start: number;
  end: number;
}

export interface PageLink {
  url: string;
  domain: string;
  hidden: string | null;
  /** The link's text and title attribute. */
  text: string;
  start: number;
  end: number;
}

export interface PageEmbed {
  url: string;
  domain: string;
  where: 'script' | 'iframe';
  hidden: string | null;
  start: number;
  end: number;
}

export interface PageReading {
  /** The source as read (decoded), for snippets. */
  source: string;
  title: string;
  description: string;
  texts: PageText[];
  links: PageLink[];
  embeds: PageEmbed[];
  /** The visible text (body text and link text), as words in order. */
  visibleText: string;
}

const SKIPPED = new Set(['script', 'style', 'template']);
const META_NAMES = /^(description|keywords|og:.+|twitter:.+)$/;
const OFF_SCREEN_PX = -999;

/** A domain as the allowlist compares it: lower case, a leading `www.` dropped. */
export function domainOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return parsed.hostname
      .toLowerCase()
      .replace(/^www\./, '')
      .replace(/\.$/, '');
  } catch {
    return null;
  }
}

function absoluteUrl(href: string, base: string): string | null {
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function pixels(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /^(-?\d+(?:\.\d+)?)(px|pt|em|rem|%|vw|vh)?$/.exec(value);
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === 'em' || m[2] === 'rem' ? n * 16 : n;
}

/** Why an element is hidden by its own attributes, or null: the hiding styles spam uses. */
export function hiddenBy(attributes: Record<string, string>): string | null {
  if ('hidden' in attributes) return 'hidden attribute';
  const style = (attributes.style ?? '').toLowerCase();
  const declarations: Record<string, string> = {};
  for (const part of style.split(';')) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    const name = part.slice(0, colon).trim();
    const value = part
      .slice(colon + 1)
      .replace(/!important/, '')
      .trim();
    if (name !== '') declarations[name] = value;
  }
  if (declarations.display === 'none') return 'display:none';
  if (declarations.visibility === 'hidden' || declarations.visibility === 'collapse') return 'visibility:hidden';
  const fontSize = pixels(declarations['font-size']);
  if (fontSize !== null && fontSize <= 0) return 'font-size:0';
  const width = pixels(declarations.width ?? attributes.width);
  const height = pixels(declarations.height ?? attributes.height);
  const clipped = declarations.overflow === 'hidden';
  if ((width !== null && width <= 1 && (clipped || (height !== null && height <= 1))) || (height !== null && height <= 1 && clipped)) return 'zero size';
  const positioned = declarations.position === 'absolute' || declarations.position === 'fixed';
  const offScreen = (name: string) => (pixels(declarations[name]) ?? 0) <= OFF_SCREEN_PX;
  if (positioned && (offScreen('left') || offScreen('top') || offScreen('right'))) return 'off-screen';
  if (offScreen('text-indent')) return 'off-screen';
  return null;
}

interface OpenElement {
  name: string;
  hidden: string | null;
}

interface OpenLink {
  url: string | null;
  hidden: string | null;
  start: number;
  parts: string[];
}

/** Reads `source` (the page at `pageUrl`) without running anything. */
export function readPage(source: string, pageUrl: string): PageReading {
  const reading: PageReading = { source, title: '', description: '', texts: [], links: [], embeds: [], visibleText: '' };
  const stack: OpenElement[] = [];
  const visible: string[] = [];
  let link: OpenLink | null = null;
  let run: { text: string; start: number; end: number } | null = null;
  let titleText = '';
  let inTitle = false;

  const hiddenNow = (): string | null => stack[stack.length - 1]?.hidden ?? null;
  // Counters, not scans of the stack: a hostile page may nest thousands of elements.
  let skippedDepth = 0;
  let svgDepth = 0;
  const skipped = (): boolean => skippedDepth > 0;
  const flush = (): void => {
    if (run === null) return;
    const { text, start, end } = run;
    run = null;
    if (text.trim() === '') return;
    const hidden = hiddenNow();
    if (link !== null) {
      link.parts.push(text);
      return;
    }
    reading.texts.push({ text, where: 'text', hidden, start, end });
    if (hidden === null) visible.push(text);
  };

  const parser: Parser = new Parser(
    {
      onopentag(name, attributes) {
        flush();
        const start = parser.startIndex;
        const end = parser.endIndex + 1;
        const hidden = hiddenNow() ?? hiddenBy(attributes);
        stack.push({ name, hidden });
        if (SKIPPED.has(name)) skippedDepth += 1;
        if (name === 'svg') svgDepth += 1;
        if (name === 'title' && svgDepth === 0) inTitle = true;
        if (name === 'meta') {
          const key = (attributes.name ?? attributes.property ?? '').toLowerCase();
          const content = attributes.content ?? '';
          if (META_NAMES.test(key) && content.trim() !== '') {
            if (key === 'description' && reading.description === '') reading.description = content.trim();
            reading.texts.push({ text: content, where: 'meta', hidden: null, start, end });
          }
        }
        if (name === 'img' && attributes.alt) reading.texts.push({ text: attributes.alt, where: 'alt', hidden, start, end });
        if ((name === 'a' || name === 'area') && attributes.href !== undefined) {
          const url = absoluteUrl(attributes.href, pageUrl);
          const opened: OpenLink = { url, hidden, start, parts: attributes.title ? [attributes.title] : [] };
          if (name === 'a') link = opened;
          else closeLink(opened, end);
        } else if (attributes.title && name !== 'a') {
          reading.texts.push({ text: attributes.title, where: 'text', hidden, start, end });
        }
        const embedSource = name === 'script' || name === 'iframe' || name === 'frame' || name === 'embed' ? attributes.src : name === 'object' ? attributes.data : undefined;
        if (embedSource !== undefined) {
          const url = absoluteUrl(embedSource, pageUrl);
          const domain = url === null ? null : domainOf(url);
          if (url !== null && domain !== null) reading.embeds.push({ url, domain, where: name === 'script' ? 'script' : 'iframe', hidden, start, end });
        }
      },
      ontext(text) {
        if (skipped()) return;
        if (inTitle) {
          titleText += text;
          return;
        }
        if (run === null) run = { text, start: parser.startIndex, end: parser.endIndex + 1 };
        else {
          run.text += text;
          run.end = parser.endIndex + 1;
        }
      },
      onclosetag(name) {
        flush();
        if (name === 'title' && inTitle) {
          inTitle = false;
          if (reading.title === '') reading.title = titleText.replace(/\s+/g, ' ').trim();
          titleText = '';
        }
        if (name === 'a' && link !== null) {
          const closed = link;
          link = null;
          closeLink(closed, parser.endIndex + 1);
        }
        // htmlparser2 closes implied elements one by one, so the stack follows the document's tree.
        for (let i = stack.length - 1; i >= 0; i -= 1) {
          if (stack[i]!.name === name) {
            for (const closed of stack.splice(i)) {
              if (SKIPPED.has(closed.name)) skippedDepth -= 1;
              if (closed.name === 'svg') svgDepth -= 1;
            }
            break;
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );

  function closeLink(opened: OpenLink, end: number): void {
    const text = opened.parts.join(' ').replace(/\s+/g, ' ').trim();
    if (text !== '') {
      reading.texts.push({ text, where: 'link', hidden: opened.hidden, start: opened.start, end });
      if (opened.hidden === null) visible.push(text);
    }
    const domain = opened.url === null ? null : domainOf(opened.url);
    if (opened.url !== null && domain !== null) reading.links.push({ url: opened.url, domain, hidden: opened.hidden, text, start: opened.start, end });
  }

  parser.write(source);
  parser.end();
  flush();
  if (link !== null) closeLink(link, source.length);
  if (reading.title !== '')
    reading.texts.push({
      text: reading.title,
      where: 'title',
      hidden: null,
      start: Math.max(0, source.toLowerCase().indexOf('<title')),
      end: Math.max(0, source.toLowerCase().indexOf('</title>') + 8),
    });
  reading.visibleText = visible.join(' ').replace(/\s+/g, ' ').trim();
  return reading;
}
