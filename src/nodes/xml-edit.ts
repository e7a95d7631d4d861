import type * as XmlAst from '@xml-tools/ast';
import type { XMLElement } from '@xml-tools/ast';
import type * as XmlParser from '@xml-tools/parser';
import type { DocumentCstNode } from '@xml-tools/parser';
import {
  applyEach,
  type EditResult,
  indentAt,
  NodeFileError,
  type SettingChange,
  type SettingSkipped,
  splice,
} from './edit-result.js';
import { lazyRequire } from '../domain/lazy-require.js';
import { settingKeyLabel } from './setting-label.js';
import type { SettingValue, XmlKeyRef, XmlStep } from './types.js';

export interface XmlSetting {
  key: XmlKeyRef;
  value: SettingValue;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Character data as XML defines it: the five predefined entities and character references. */
function decode(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const semi = raw[i] === '&' ? raw.indexOf(';', i) : -1;
    if (semi === -1) {
      out += raw[i];
      continue;
    }
    const name = raw.slice(i + 1, semi);
    const code = name.startsWith('#x')
      ? parseInt(name.slice(2), 16)
      : name.startsWith('#')
        ? parseInt(name.slice(1), 10)
        : NaN;
    out += PREDEFINED[name] ?? (Number.isNaN(code) ? raw.slice(i, semi + 1) : String.fromCodePoint(code));
    i = semi;
  }
  return out;
}

function escapeText(v: string): string {
  return v.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function escapeAttribute(v: string, quote: string): string {
  return escapeText(v).replaceAll(quote, quote === '"' ? '&quot;' : '&apos;');
}

// chevrotain and lodash (0.9 MB) parse only the 2.6 nodes' XML files.
const xmlParser = lazyRequire<typeof XmlParser>('@xml-tools/parser');
const xmlAst = lazyRequire<typeof XmlAst>('@xml-tools/ast');

function parseXml(file: string, text: string): XMLElement {
  const { cst, tokenVector, lexErrors, parseErrors } = xmlParser().parse(text);
  const first = lexErrors[0] ?? parseErrors[0];
  if (first) {
    const line = 'line' in first ? first.line : first.token.startLine;
    throw new NodeFileError(
      file,
      `line ${Number.isNaN(line) || line === undefined ? 'end of file' : line}: not well-formed XML (${first.message}); fix the file by hand, nothing was changed`,
    );
  }
  // parse() starts at the `document` production, so its CST is a document node.
  const root = xmlAst().buildAst(cst as DocumentCstNode, tokenVector).rootElement;
  if (!root) throw new NodeFileError(file, 'no root element; fix the file by hand, nothing was changed');
  return root;
}

function matches(e: XMLElement, step: XmlStep): boolean {
  if (e.name !== step.name) return false;
  return Object.entries(step.where ?? {}).every(([k, v]) =>
    e.attributes.some((a) => a.key === k && a.value === v),
  );
}

type Found =
  | { kind: 'found'; element: XMLElement }
  /** `parent` is set when only the last step is missing (an element that can be added). */
  | { kind: 'missing'; step: XmlStep; parent?: XMLElement };

/** The element at `steps` (first match per step), or the first step that is missing. */
function find(root: XMLElement, steps: XmlStep[]): Found {
  const [first, ...rest] = steps;
  if (!first || !matches(root, first)) return { kind: 'missing', step: first ?? { name: '?' } };
  let cur = root;
  for (const [i, step] of rest.entries()) {
    const next = cur.subElements.find((e) => matches(e, step));
    if (!next) return { kind: 'missing', step, ...(i === rest.length - 1 ? { parent: cur } : {}) };
    cur = next;
  }
  return { kind: 'found', element: cur };
}

/** Offsets of an element's content (between its tags), exclusive end; undefined when self-closing. */
function contentRange(e: XMLElement): [number, number] | undefined {
  const open = e.syntax.openBody;
  const close = e.syntax.closeBody;
  if (e.syntax.isSelfClosing || !open || !close) return undefined;
  return [open.endOffset + 1, close.startOffset];
}

function setText(
  file: string,
  text: string,
  e: XMLElement,
  value: string,
  label: string,
): { text: string; before?: string } {
  if (e.subElements.length > 0) {
    throw new NodeFileError(
      file,
      `line ${e.position.startLine}: ${label} holds elements, not a value; set it by hand to ${value}`,
    );
  }
  const range = contentRange(e);
  const name = e.syntax.openName?.image ?? e.name ?? '';
  if (!range) {
    const out = splice(
      text,
      e.position.startOffset,
      e.position.endOffset + 1,
      `<${name}>${escapeText(value)}</${name}>`,
    );
    return { text: out, before: '' };
  }
  const raw = text.slice(range[0], range[1]);
  if (decode(raw).trim() === value) return { text };
  return { text: splice(text, range[0], range[1], escapeText(value)), before: raw.trim() };
}

function setAttribute(
  text: string,
  e: XMLElement,
  name: string,
  value: string,
): { text: string; before?: string } {
  const attr = e.attributes.find((a) => a.key === name);
  const token = attr?.syntax.value;
  if (attr && token) {
    if (attr.value === value) return { text };
    const quote = token.image[0] === "'" ? "'" : '"';
    const out = splice(
      text,
      token.startOffset,
      token.endOffset + 1,
      `${quote}${escapeAttribute(value, quote)}${quote}`,
    );
    return { text: out, before: attr.value ?? '' };
  }
  // After the last attribute, on its own line when the attributes are one per line.
  const last = e.attributes[e.attributes.length - 1];
  const anchorEnd = last
    ? last.position.endOffset + 1
    : (e.syntax.openName?.endOffset ?? e.position.startOffset) + 1;
  let separator = ' ';
  if (last) {
    const before = e.attributes[e.attributes.length - 2];
    const from = before ? before.position.endOffset + 1 : (e.syntax.openName?.endOffset ?? 0) + 1;
    const gap = text.slice(from, last.position.startOffset);
    if (gap.includes('\n')) separator = gap.slice(gap.lastIndexOf('\n'));
  }
  return { text: splice(text, anchorEnd, anchorEnd, `${separator}${name}="${escapeAttribute(value, '"')}"`) };
}

/** Adds `<name>value</name>` under `parent`, after the first `after` sibling present (else first). */
function insertElement(
  text: string,
  parent: XMLElement,
  name: string,
  value: string,
  after: string[],
  eol: string,
): string {
  const anchor = after.map((n) => parent.subElements.find((e) => e.name === n)).find((e) => e !== undefined);
  const open = parent.syntax.openBody;
  const firstChild = parent.subElements[0];
  const indent = anchor
    ? indentAt(text, anchor.position.startOffset)
    : firstChild
      ? indentAt(text, firstChild.position.startOffset)
      : `${indentAt(text, parent.position.startOffset)}    `;
  const at = anchor ? anchor.position.endOffset + 1 : (open?.endOffset ?? parent.position.startOffset) + 1;
  return splice(text, at, at, `${eol}${indent}<${name}>${escapeText(value)}</${name}>`);
}

function applyOne(
  file: string,
  text: string,
  s: XmlSetting,
  eol: string,
): { text: string; change?: SettingChange; skipped?: SettingSkipped } {
  const label = settingKeyLabel(s.key);
  const value = String(s.value);
  const root = parseXml(file, text);
  const found = find(root, s.key.element);
  let out: { text: string; before?: string };
  if (found.kind === 'missing') {
    if (!found.parent || s.key.attribute) {
      return { text, skipped: { label, why: `the file has no <${found.step.name}> there` } };
    }
    out = { text: insertElement(text, found.parent, found.step.name, value, s.key.after ?? [], eol) };
  } else if (s.key.attribute) {
    out = setAttribute(text, found.element, s.key.attribute, value);
  } else {
    out = setText(file, text, found.element, value, label);
  }
  if (out.text === text) return { text };
  parseXml(file, out.text);
  return {
    text: out.text,
    change: { label, ...(out.before !== undefined ? { before: out.before } : {}), after: s.value },
  };
}

/**
 * Sets XML element texts and attributes in place: only the value's characters change (or one
 * attribute or element is added), so comments, attribute order and quoting, namespaces and every
 * other part of the file stay byte-identical. Nothing is removed.
 */
export function editXml(file: string, text: string, settings: XmlSetting[]): EditResult {
  parseXml(file, text);
  return applyEach(text, settings, (current, s, eol) => applyOne(file, current, s, eol));
}

/** The text of the element at `steps` (entities decoded, trimmed), or undefined when absent. */
export function readXmlText(file: string, text: string, steps: XmlStep[]): string | undefined {
  const found = find(parseXml(file, text), steps);
  if (found.kind !== 'found') return undefined;
  const range = contentRange(found.element);
  return range ? decode(text.slice(range[0], range[1])).trim() : '';
}
