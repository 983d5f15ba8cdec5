import type { z } from 'zod';
import { quote } from './topics.js';

/** One thing wrong with an input: which field, what was expected, what came. */
export interface FieldProblem {
  field: string;
  expected: string;
  got: string;
}

export function formatProblem(problem: FieldProblem): string {
  return `${problem.field}: expected ${problem.expected}, got ${problem.got}`;
}

/** Turns zod issues into field/expected/got triples a person can act on. */
export function problemsFromZod(issues: readonly z.core.$ZodIssue[], basePath: readonly PropertyKey[] = []): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const path = [...basePath, ...issue.path];
    const field = path.length ? path.map(String).join('.') : '(payload)';
    // One problem per field: a value can break several checks at once (2^53 + 1 is neither a
    // safe integer nor within the maximum); the first says enough.
    if (seen.has(field) && issue.code !== 'unrecognized_keys') continue;
    seen.add(field);
    const got = issue.input === undefined ? 'nothing' : quote(issue.input);
    switch (issue.code) {
      case 'invalid_type':
        problems.push({ field, expected: describeType(issue.expected), got: describeInput(issue.input) });
        break;
      case 'too_small':
      case 'too_big': {
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const word = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
        const what = issue.origin === 'string' ? 'length' : issue.origin === 'array' ? 'item count' : issue.origin === 'int' ? 'an integer' : 'a number';
        problems.push({ field, expected: `${what} ${word} ${String(bound)}`, got });
        break;
      }
      case 'invalid_value':
        problems.push({ field, expected: `one of ${issue.values.map((v) => quote(v)).join(', ')}`, got });
        break;
      case 'invalid_format':
        problems.push({ field, expected: issue.pattern ? `a string matching ${issue.pattern}` : `a ${issue.format}`, got });
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) problems.push({ field: path.length ? `${field}.${key}` : key, expected: 'no such key (unknown keys are errors)', got: 'a value' });
        break;
      case 'invalid_union': {
        // Report the closest alternative: the one with the fewest problems.
        const alternatives = issue.errors.map((errs) => problemsFromZod(errs, path));
        const best = alternatives.sort((a, b) => a.length - b.length)[0];
        if (best && best.length) problems.push(...best);
        else problems.push({ field, expected: issue.message, got });
        break;
      }
      default:
        problems.push({ field, expected: issue.message, got });
    }
  }
  return problems;
}

function describeType(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return `a ${expected}`;
  }
}

/** "string \"55\"", "array [1]", but plain "null", "nothing", "Infinity". */
function describeInput(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return `${typeName(value)} ${quote(value)}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
