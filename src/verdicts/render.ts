// Renders the verdicts for the three report formats. The report renderers call these first, before
// the evidence sections. Every string that can come from a trace (comm and VM names in summaries
// and titles) is escaped for its target; remediation code holds no trace strings but is escaped too.
import { escapeHtml as h, escapeMd, escapeTerm } from '../report/escape.js';
import { fmtCount, fmtDuration, fmtSeconds } from '../report/text.js';
import { LABELS } from './messages.js';
import type { EvidenceValue, Verdict } from './types.js';

export const VERDICT_CSS = `.verdict{border-left:4px solid #999;padding:.2em 1em;margin:1em 0;background:#fafafa}
.verdict h3{margin:.3em 0}.verdict.sev-critical{border-color:#b00020}.verdict.sev-warning{border-color:#d08000}.verdict.sev-info{border-color:#1a5fb4}
.badge{display:inline-block;padding:0 .5em;border-radius:.3em;color:#fff;font-size:.85em;text-transform:uppercase;vertical-align:middle}
.badge.sev-critical{background:#b00020}.badge.sev-warning{background:#d08000}.badge.sev-info{background:#1a5fb4}.badge.sev-ok{background:#2e7d32}
.verdict pre{background:#272822;color:#f8f8f2;padding:.6em;overflow-x:auto;user-select:all;white-space:pre}`;

export function fmtValue(v: EvidenceValue): string {
  if (v.value === null) return '–';
  switch (v.unit) {
    case 'ns': return fmtDuration(Math.round(v.value));
    case 'ratio': return `${(100 * v.value).toFixed(v.value > 0 && v.value < 0.001 ? 3 : 1)}%`;
    case 'count': return fmtCount(v.value);
    default: return `${v.value >= 100 ? fmtCount(v.value) : v.value.toFixed(1)}/s`;
  }
}

const impactText = (v: Verdict) => LABELS.impact(`${(100 * v.impact).toFixed(v.impact > 0 && v.impact < 0.001 ? 3 : 1)}%`);
const confText = (v: Verdict) => LABELS.confidence(v.confidence.level, v.confidence.score);

export function verdictsHtml(vs: Verdict[], vmName: (id: number | null) => string): string {
  const c = LABELS.columns;
  const out: string[] = [`<h2 id="verdicts">${h(LABELS.heading)}</h2>`];
  if (vs.length === 0) return out.concat(`<p>${h(LABELS.none)}</p>`).join('\n');
  const fired = vs.filter((v) => v.severity !== 'ok');
  if (fired.length === 0) out.push(`<p class="sev-ok">${h(LABELS.allOk)}</p>`);
  for (const v of fired) {
    out.push(`<section class="verdict sev-${v.severity}" id="verdict-${v.id}">`);
    out.push(`<h3><span class="badge sev-${v.severity}">${v.severity}</span> ${h(v.title)}</h3>`);
    out.push(`<p class="muted"><code>${v.id}</code> · ${h(impactText(v))} · ${h(confText(v))}</p>`);
    out.push(`<p>${h(v.evidence.summary)}</p>`);
    if (v.confidence.reasons.length) out.push(`<p class="muted">${h(LABELS.lowered)} ${v.confidence.reasons.map(h).join(' ')}</p>`);
    out.push(`<details><summary>${h(LABELS.figures)}</summary><table><thead><tr><th>${c.figure}</th><th>${c.value}</th><th>${c.source}</th></tr></thead><tbody>`
      + v.evidence.values.map((x) => `<tr><td>${h(x.name)}</td><td class="n">${h(fmtValue(x))}</td><td><code>${h(x.ref ?? x.formula ?? '')}</code></td></tr>`).join('')
      + '</tbody></table></details>');
    if (v.evidence.windows.length) {
      out.push(`<details><summary>${h(LABELS.windows)}</summary><table><thead><tr>${[c.start, c.end, c.cpu, c.vm, c.vcpu, c.tid, c.ref].map((x) => `<th>${x}</th>`).join('')}</tr></thead><tbody>`
        + v.evidence.windows.map((w) => `<tr><td class="n">${fmtSeconds(w.startNs)}</td><td class="n">${fmtSeconds(w.endNs)}</td><td>${w.cpu ?? '–'}</td><td>${w.vm === null ? '–' : h(vmName(w.vm))}</td><td>${w.vcpu ?? '–'}</td><td>${w.tid ?? '–'}</td><td><code>${h(w.ref)}</code></td></tr>`).join('')
        + '</tbody></table></details>');
    }
    out.push(`<h4>${h(LABELS.change)}</h4><ol>`);
    for (const s of v.remediation) out.push(`<li>${h(s.title)}${s.code ? `<pre>${h(s.code)}</pre>` : ''}</li>`);
    out.push('</ol>');
    out.push(`<details><summary>${h(LABELS.how)}</summary><p>${h(v.docs)}</p></details>`);
    out.push('</section>');
  }
  const ok = vs.filter((v) => v.severity === 'ok');
  if (ok.length) {
    out.push(`<h3>${h(LABELS.okHeading)}</h3><ul>`);
    for (const v of ok) out.push(`<li><span class="badge sev-ok">ok</span> <b>${h(v.title)}</b> <span class="muted">(<code>${v.id}</code>)</span>: ${h(v.evidence.summary)}</li>`);
    out.push('</ul>');
  }
  return out.join('\n');
}

/** A fenced Markdown code block that no backtick run inside the code can close. */
function fence(code: string, indent: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(Math.max(3, longest + 1));
  return [`${indent}${f}`, ...code.split('\n').map((l) => indent + l), `${indent}${f}`].join('\n');
}

export function verdictsMarkdown(vs: Verdict[]): string {
  const out: string[] = [`### ${LABELS.heading}`, ''];
  if (vs.length === 0) return out.concat(LABELS.none, '').join('\n');
  const fired = vs.filter((v) => v.severity !== 'ok');
  if (fired.length === 0) out.push(LABELS.allOk, '');
  fired.forEach((v, k) => {
    out.push(`#### ${k + 1}. ${v.severity.toUpperCase()}: ${escapeMd(v.title)} (\`${v.id}\`)`, '');
    out.push(`*${impactText(v)}, ${confText(v)}*`, '');
    out.push(escapeMd(v.evidence.summary), '');
    if (v.confidence.reasons.length) out.push(`${LABELS.lowered} ${v.confidence.reasons.map(escapeMd).join(' ')}`, '');
    const c = LABELS.columns;
    out.push(`| ${c.figure} | ${c.value} | ${c.source} |`, '| --- | --- | --- |',
      ...v.evidence.values.map((x) => `| ${escapeMd(x.name)} | ${escapeMd(fmtValue(x))} | ${escapeMd(x.ref ?? x.formula ?? '')} |`), '');
    out.push(`**${LABELS.change}**`, '');
    v.remediation.forEach((s, i) => {
      out.push(`${i + 1}. ${escapeMd(s.title)}`);
      if (s.code) out.push('', fence(s.code, '   '), '');
    });
    out.push('', `${LABELS.how}: ${escapeMd(v.docs)}`, '');
  });
  const ok = vs.filter((v) => v.severity === 'ok');
  if (ok.length) {
    out.push(`**${LABELS.okHeading}**`, '');
    for (const v of ok) out.push(`- ${escapeMd(v.title)} (\`${v.id}\`): ${escapeMd(v.evidence.summary)}`);
    out.push('');
  }
  return out.join('\n');
}

const TERM_COLOR: Record<string, string> = { critical: '1;31', warning: '33', info: '36', ok: '32' };

export function verdictsTerminal(vs: Verdict[], color: boolean): string[] {
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const fired = vs.filter((v) => v.severity !== 'ok');
  const lines: string[] = [];
  if (vs.length === 0) return [`  ${LABELS.termHeading}: ${LABELS.none}`];
  lines.push(`  ${LABELS.termHeading}:`);
  for (const v of fired) {
    lines.push(`    ${c(TERM_COLOR[v.severity], v.severity.toUpperCase().padEnd(8))} ${escapeTerm(v.title)} [${v.id}] (${impactText(v)}, ${confText(v)})`);
    lines.push(`             ${escapeTerm(v.evidence.summary)}`);
  }
  const ok = vs.length - fired.length;
  if (fired.length === 0) lines.push(`    ${c(TERM_COLOR.ok, 'OK')}       ${LABELS.allOk}`);
  else {
    if (ok) lines.push(`    ${c(TERM_COLOR.ok, 'OK')}       ${LABELS.termOk(ok)}`);
    lines.push(`    ${LABELS.termMore}`);
  }
  return lines;
}
