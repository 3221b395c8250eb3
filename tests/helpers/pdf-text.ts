// The text of a PDF that Chromium printed, page by page, for tests that read what was printed
// (no pdftotext on the machine). Chromium writes Flate-compressed content streams that show glyph
// ids through Type0 fonts, each with a ToUnicode CMap: this decodes exactly that shape, enough to
// find words on a page, and is no general PDF reader.
import { inflateSync } from 'node:zlib';

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

function objects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const out = new Map<number, PdfObject>();
  const re = /(\d+) 0 obj\s*/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endobj', start);
    const body = text.slice(start, end);
    const streamAt = body.indexOf('stream');
    if (streamAt === -1) {
      out.set(Number(m[1]), { dict: body, stream: null });
      continue;
    }
    const dict = body.slice(0, streamAt);
    let dataStart = start + streamAt + 'stream'.length;
    if (text[dataStart] === '\r') dataStart++;
    if (text[dataStart] === '\n') dataStart++;
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
    const raw = pdf.subarray(dataStart, dataStart + length);
    out.set(Number(m[1]), { dict, stream: dict.includes('/FlateDecode') ? inflateSync(raw) : raw });
  }
  return out;
}

/** A ToUnicode CMap: glyph code (hex) → text. */
function cmap(source: string): Map<string, string> {
  const map = new Map<string, string>();
  const utf16 = (hex: string) => String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)));
  for (const block of source.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, code, text] of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(code!.toUpperCase(), utf16(text!));
  }
  for (const block of source.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo, hi, first] of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const width = lo!.length;
      for (let code = parseInt(lo!, 16), n = 0; code <= parseInt(hi!, 16); code++, n++) {
        map.set(code.toString(16).toUpperCase().padStart(width, '0'), String.fromCharCode(parseInt(first!, 16) + n));
      }
    }
  }
  return map;
}

/** Each page's text, in the order its content stream shows it. */
export function pdfPageTexts(pdf: Buffer): string[] {
  const objs = objects(pdf);
  const ref = (dict: string, key: string) => Number(new RegExp(`/${key} (\\d+) 0 R`).exec(dict)?.[1]);
  const fontMaps = new Map<number, Map<string, string>>();
  const fontMap = (id: number) => {
    if (!fontMaps.has(id)) {
      const toUnicode = objs.get(ref(objs.get(id)?.dict ?? '', 'ToUnicode'))?.stream;
      fontMaps.set(id, toUnicode ? cmap(toUnicode.toString('latin1')) : new Map());
    }
    return fontMaps.get(id)!;
  };
  const pages = [...objs.values()].filter((o) => /\/Type\s*\/Page\b/.test(o.dict));
  return pages.map((page) => {
    // Fonts by resource name, from the page's own /Resources (inline or referenced).
    const resources = /\/Resources\s*(\d+) 0 R/.exec(page.dict) ? objs.get(ref(page.dict, 'Resources'))!.dict : page.dict;
    const fontDict = /\/Font\s*(\d+) 0 R/.exec(resources) ? objs.get(ref(resources, 'Font'))!.dict : (/\/Font\s*<<([\s\S]*?)>>/.exec(resources)?.[1] ?? '');
    const fonts = new Map([...fontDict.matchAll(/\/(\w+)\s+(\d+) 0 R/g)].map(([, name, id]) => [name!, Number(id)]));
    const contentIds = /\/Contents\s*\[([^\]]*)\]/
      .exec(page.dict)?.[1]
      ?.match(/\d+(?= 0 R)/g)
      ?.map(Number) ?? [ref(page.dict, 'Contents')];
    let text = '';
    let map = new Map<string, string>();
    for (const id of contentIds) {
      const content = objs.get(id)?.stream?.toString('latin1') ?? '';
      for (const token of content.matchAll(/\/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\((?:[^()\\]|\\.)*\)|\bT[dDm*]\b|\bET\b/g)) {
        if (token[1]) map = fontMap(fonts.get(token[1]) ?? -1);
        else if (token[2] !== undefined) text += (token[2].match(/.{4}/g) ?? []).map((code) => map.get(code.toUpperCase()) ?? '').join('');
        else if (/^T[dDm*]$|^ET$/.test(token[0])) text += ' ';
      }
    }
    return text.replace(/\s+/g, ' ').trim();
  });
}
