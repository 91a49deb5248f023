// An axe-like check of the rendered DOM (WCAG 2.1 AA basics), run by the browser tests with page.evaluate.
// Returns a list of problems, each naming the element; an empty list passes.
() => {
  const problems = [];
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const name = el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : "";
    const text = (el.textContent || "").trim().slice(0, 40);
    return `<${el.tagName.toLowerCase()}${id}${name}> "${text}"`;
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.display !== "none" && style.visibility !== "hidden" && box.width > 0 && box.height > 0;
  };

  // html lang, a title, landmarks
  if (!/^(nl|en)$/.test(document.documentElement.lang)) problems.push(`html lang is "${document.documentElement.lang}"`);
  if (!document.title.trim()) problems.push("the page has no title");
  for (const selector of ["header", "nav", "main", "footer"]) {
    if (!document.querySelector(selector)) problems.push(`no <${selector}> landmark`);
  }
  const skip = document.querySelector("a.skip-link");
  if (!skip || !document.querySelector(skip.getAttribute("href"))) problems.push("no skip link to the main content");

  // every form control has an accessible name
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (["hidden", "submit", "button", "reset"].includes(type)) continue;
    if (el.closest("#yasgui")) continue; // the YASGUI widget is checked by its own test
    const labelled =
      (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) ||
      el.closest("label") ||
      (el.getAttribute("aria-label") || "").trim() ||
      (el.getAttribute("aria-labelledby") || "").split(/\s+/).some((id) => id && document.getElementById(id));
    if (!labelled) problems.push(`form control without a label: ${describe(el)}`);
  }
  for (const el of document.querySelectorAll("button")) {
    if (el.closest("#yasgui")) continue;
    if (!(el.textContent.trim() || el.getAttribute("aria-label"))) problems.push(`button without a name: ${describe(el)}`);
  }

  // images have alt; SVG pictures have a title and description they point at
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`img without alt: ${img.src}`);
  }
  for (const svg of document.querySelectorAll("svg[role=img]")) {
    const ids = (svg.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
    if (!ids.length || !ids.every((id) => document.getElementById(id))) problems.push(`svg without its title/desc: ${describe(svg)}`);
  }
  for (const svg of document.querySelectorAll("main svg:not([role]):not([aria-hidden=true])")) {
    if (!svg.closest("#yasgui")) problems.push(`svg neither an image nor hidden: ${describe(svg)}`);
  }

  // one h1, and heading levels that do not skip (h2 -> h4)
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter((h) => !h.closest("#yasgui"));
  if (headings.filter((h) => h.tagName === "H1").length !== 1) problems.push("not exactly one h1");
  let previous = 0;
  for (const h of headings) {
    const level = Number(h.tagName[1]);
    if (previous && level > previous + 1) problems.push(`heading level skips from h${previous} to h${level}: ${describe(h)}`);
    previous = level;
  }

  // links have text
  for (const a of document.querySelectorAll("a[href]")) {
    if (a.closest("#yasgui")) continue;
    if (!(a.textContent.trim() || a.getAttribute("aria-label"))) problems.push(`link without text: ${a.href}`);
  }

  // text contrast >= 4.5:1 (3:1 for large text) against the first opaque background behind it
  const parse = (color) => {
    const m = color.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
  };
  const luminance = ([r, g, b]) => {
    const channel = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const color = parse(getComputedStyle(node).backgroundColor);
      if (color && color[3] >= 0.99) return color;
    }
    return [255, 255, 255, 1];
  };
  const checked = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el || checked.has(el) || el.closest("#yasgui, svg, noscript")) continue;
    checked.add(el);
    if (!visible(el)) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color);
    if (!fg) continue;
    const bg = background(el);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)}:1 too low: ${describe(el)}`);
  }
  return problems;
}
