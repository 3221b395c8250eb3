import { Parser } from 'htmlparser2';

const FIELD_TAGS = new Set(['input', 'select', 'textarea', 'button']);

/**
 * True when at least one `<form>` on the page has fields (input, select, textarea, button)
 * whose `name` attributes include every one of `fields`. An empty list always passes.
 */
export function findFormWithFields(html: string, fields: string[]): boolean {
  if (fields.length === 0) return true;
  const openForms: Array<Set<string>> = [];
  const namesByFormId = new Map<string, Set<string>>();
  const declaredFormIds = new Set<string>();
  let found = false;

  const hasAll = (names: Set<string>): boolean => fields.every((field) => names.has(field));
  const namesOfFormId = (id: string): Set<string> => {
    let names = namesByFormId.get(id);
    if (!names) {
      names = new Set();
      namesByFormId.set(id, names);
    }
    return names;
  };

  const parser = new Parser(
    {
      onopentag(tag, attributes) {
        if (tag === 'form') {
          // A form's fields may sit outside it and point back with form="id", so both ways count.
          if (attributes.id) declaredFormIds.add(attributes.id);
          openForms.push(attributes.id ? namesOfFormId(attributes.id) : new Set());
          return;
        }
        const name = attributes.name;
        if (!FIELD_TAGS.has(tag) || !name) return;
        const owner = attributes.form ? namesOfFormId(attributes.form) : openForms.at(-1);
        owner?.add(name);
      },
      onclosetag(tag) {
        if (tag !== 'form') return;
        const names = openForms.pop();
        if (names && hasAll(names)) found = true;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();

  return found || [...declaredFormIds].some((id) => hasAll(namesOfFormId(id)));
}
