/**
 * The tables of docs/ that list what code defines, generated from that code: `npm run docs` writes
 * them between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; a test fails when they drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zod from 'zod';
import * as z from 'zod/mini';
import { ERROR_CODES, entryOf, type RetryAdvice } from '../functions/outbound-status/core/error-catalogue.ts';
import { Environment } from '../functions/outbound-status/environment.ts';
import { type Disposition, dispositionOf } from '../functions/outbound-status/faces/disposition.ts';
import { METRIC_CATALOGUE, METRIC_NAMESPACE } from '../functions/outbound-status/faces/metric-names.ts';
import { OutcomeEventDetail } from '../functions/outbound-status/faces/outcome-event.ts';
import { Settings } from '../infra/settings.ts';
import { OTHER_ANSWERS } from './contract-answers.ts';
import { type JsonSchema, valueText, typeText } from './schema-text.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

const RETRY: Record<RetryAdvice, string> = {
  never: 'no: as sent it fails again',
  later: 'yes, after `Retry-After`',
  safe: 'yes: it may have applied, and sending it again is safe',
  again: 'yes: it was never sent',
  'after-fix': 'once the setup is fixed',
  'no-need': 'no: a newer update stands',
};

const QUEUE: Record<Disposition['action'], string> = {
  acknowledge: 'acknowledged, never sent',
  'dead-letter': 'dead-lettered with its reason',
  'retry-now': 'left for its next delivery, without back-off',
  'retry-later': 'left for retry with a back-off',
};

const row = (cells: unknown[]) => `| ${cells.map((cell) => String(cell).replaceAll('|', '\\|')).join(' | ')} |`;
const table = (head: string[], rows: unknown[][]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

function errorCodes(): string {
  const queue = { concurrency: 1, maxReceiveCount: 2, visibilityBaseSeconds: 1, visibilityMaxSeconds: 1 };
  const rows = ERROR_CODES.map((code) => {
    const { kind, httpStatus, retry, retryAfterSeconds, description } = entryOf(code);
    const first = dispositionOf({ code, kind, receiveCount: 1 }, queue).action;
    const last = dispositionOf({ code, kind, receiveCount: queue.maxReceiveCount }, queue).action;
    const onQueue =
      first !== last
        ? `${QUEUE[first]}; on its last delivery, ${QUEUE[last]}`
        : first === 'dead-letter'
          ? 'dead-lettered at once, with its reason'
          : QUEUE[first];
    const wait =
      httpStatus === 503 ? (retryAfterSeconds === undefined ? 'as Thulium asks, else 1' : retryAfterSeconds) : '';
    return [`\`${code}\``, httpStatus, kind, description, RETRY[retry], wait, onQueue];
  });
  return table(['code', 'HTTP', 'kind', 'when', 'send again?', 'Retry-After (s)', 'on the queue'], rows);
}

function gatewayAnswers(): string {
  const rows = OTHER_ANSWERS.map((a) => [a.status, `\`${a.code}\``, a.by, a.when]);
  return table(['HTTP', 'code', 'answered by', 'when'], rows);
}

/** A schema's settings as rows: name, type, default (or `required`), meaning. */
function settingsTable(schema: JsonSchema, first: string): string {
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties ?? {}).map(([name, property]) => [
    `\`${name}\``,
    typeText(property),
    'default' in property ? valueText(property.default) : required.has(name) ? 'required' : '',
    property.description ?? '',
  ]);
  return table([first, 'type', 'default', 'meaning'], rows);
}

const environment = () =>
  settingsTable(z.toJSONSchema(Environment, { io: 'output', unrepresentable: 'any' }) as JsonSchema, 'variable');
const stackSettings = () =>
  settingsTable(zod.toJSONSchema(Settings, { io: 'input', unrepresentable: 'any' }) as JsonSchema, 'setting');

function metrics(): string {
  const rows = Object.values(METRIC_CATALOGUE).map(({ name, description }) => [`\`${name}\``, description]);
  return `Namespace: the stack's name (\`${METRIC_NAMESPACE}\` outside a stack).\n\n${table(['metric', 'counts'], rows)}`;
}

/** The outcome event's detail, field by field; an object's fields follow it as `error.code`. */
function outcomeEventFields(): string {
  const rows = (schema: JsonSchema, parent?: string): unknown[][] => {
    const required = new Set(schema.required ?? []);
    return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
      const field = parent === undefined ? name : `${parent}.${name}`;
      const present = required.has(name) ? (parent === undefined ? 'always' : `with \`${parent}\``) : '';
      const type = property.type === 'array' ? 'list' : typeText(property);
      return [[`\`${field}\``, type, present, property.description ?? ''], ...rows(property, field)];
    });
  };
  const schema = z.toJSONSchema(OutcomeEventDetail, { io: 'output' }) as JsonSchema;
  return table(['field', 'type', 'present', 'meaning'], rows(schema));
}

/** Each generated section: the page it lives on, and what renders it. */
export const SECTIONS = {
  'error-codes': { file: 'docs/contract.md', render: errorCodes },
  'gateway-answers': { file: 'docs/contract.md', render: gatewayAnswers },
  environment: { file: 'docs/configuration.md', render: environment },
  'stack-settings': { file: 'docs/configuration.md', render: stackSettings },
  metrics: { file: 'docs/runbook.md', render: metrics },
  'outcome-event-fields': { file: 'docs/outcome-events.md', render: outcomeEventFields },
} as const;

/** Every page with its sections filled in, as `npm run docs` would write it. */
export function renderDocs(): Record<string, string> {
  const pages: Record<string, string> = {};
  for (const [name, { file, render }] of Object.entries(SECTIONS)) {
    const text = pages[file] ?? readFileSync(join(root, file), 'utf8');
    const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!pattern.test(text)) throw new Error(`${file} has no <!-- generated:${name} --> section`);
    pages[file] = text.replace(pattern, (_, open: string, close: string) => `${open}\n${render()}\n\n${close}`);
  }
  return pages;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [file, text] of Object.entries(renderDocs())) {
    writeFileSync(join(root, file), text);
    console.log(file);
  }
}
