// Characters that draw nothing or reorder what follows (zero-width spaces, bidi overrides,
// Unicode tags, every other format character: general category Cf) can hide or disguise
// text in untrusted content. In plain-text mode each is shown as a ⟨U+XXXX⟩ badge.
import { h } from "../shared/model";

const INVISIBLE = /\p{Cf}/gu;

/** "U+200B" for the character's code point. */
export function codePointLabel(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** `text` as text nodes, with each invisible or bidi-control character a visible badge. */
export function visibleText(text: string): DocumentFragment {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(INVISIBLE)) {
    const at = m.index ?? 0;
    if (at > last) out.append(text.slice(last, at));
    const label = codePointLabel(m[0]);
    const badge = h("span", "el-sv-invisible", `⟨${label}⟩`);
    badge.title = `Invisible character ${label}`;
    out.append(badge);
    last = at + m[0].length;
  }
  if (last < text.length) out.append(text.slice(last));
  return out;
}
