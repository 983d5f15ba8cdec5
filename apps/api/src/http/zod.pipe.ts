import { type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';
import { badParameter } from './api-error.js';

/**
 * Validates one request part (query, path parameters or body) with a zod schema. The first
 * problem becomes a 400 naming the parameter; values are echoed only as a short JSON snippet.
 */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(
    private readonly schema: T,
    private readonly part: 'query' | 'path' | 'body',
  ) {}

  transform(value: unknown): z.output<T> {
    const result = this.schema.safeParse(value ?? (this.part === 'body' ? undefined : {}));
    if (result.success) return result.data;
    throw problemToError(result.error.issues[0], this.part, value);
  }
}

export function problemToError(issue: z.core.$ZodIssue, part: 'query' | 'path' | 'body', input: unknown) {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    return badParameter(part === 'body' ? [...issue.path, key].join('.') : key, `${key}: unknown ${part === 'body' ? 'field' : 'parameter'}`);
  }
  const parameter = issue.path.length ? issue.path.map(String).join('.') : part === 'body' ? 'body' : part;
  const got = snippet(issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input));
  const message = issue.message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '');
  return badParameter(parameter, `${parameter}: ${message}${got === undefined ? '' : `, got ${got}`}`);
}

function snippet(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
