// The transcript search's matches in a drawn message, marked as text: the message's text
// nodes are split around each match and the match goes in a <mark> by textContent, so
// nothing from the log is ever parsed as HTML. The kernel sends the strings its regular
// expression matched (Rust's syntax is not JavaScript's), and they are found literally.

/** Wrap each occurrence of any of `matches` in the text under `root`; returns how many. */
export function highlightMatches(root: HTMLElement, matches: readonly string[]): number {
  const wanted = [...new Set(matches.filter((m) => m.length > 0))].sort((a, b) => b.length - a.length);
  if (!wanted.length) return 0;
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  let marked = 0;
  for (const node of nodes) {
    const text = node.data;
    const pieces: (string | HTMLElement)[] = [];
    let from = 0;
    while (from < text.length) {
      // The earliest occurrence of any match; the longest one where several start together.
      let at = -1;
      let found = "";
      for (const m of wanted) {
        const i = text.indexOf(m, from);
        if (i >= 0 && (at < 0 || i < at)) {
          at = i;
          found = m;
        }
      }
      if (at < 0) break;
      if (at > from) pieces.push(text.slice(from, at));
      const mark = doc.createElement("mark");
      mark.className = "el-sv-match";
      mark.textContent = found;
      pieces.push(mark);
      marked++;
      from = at + found.length;
    }
    if (!pieces.length) continue;
    if (from < text.length) pieces.push(text.slice(from));
    node.replaceWith(...pieces);
  }
  return marked;
}
