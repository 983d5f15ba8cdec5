import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException, Logger, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { z } from 'zod';
import { ApiError, badParameter } from './api-error.js';
import { ApiErrorFilter } from './error.filter.js';
import { ZodPipe } from './zod.pipe.js';

describe('ApiErrorFilter', () => {
  const filter = new ApiErrorFilter();
  it('our errors keep their code, message and parameter', () => {
    assert.deepEqual(filter.answer(badParameter('every', 'every: expected a duration')), { status: 400, body: { error: { code: 'bad_parameter', message: 'every: expected a duration', parameter: 'every' } } });
    assert.deepEqual(filter.answer(new ApiError('forbidden', 'no')), { status: 403, body: { error: { code: 'forbidden', message: 'no' } } });
  });

  it("the framework's errors get the same shape and a generic message", () => {
    assert.deepEqual(filter.answer(new NotFoundException('Cannot GET /api/secret-route')), { status: 404, body: { error: { code: 'not_found', message: 'no such resource' } } });
    assert.deepEqual(filter.answer(new BadRequestException('Unexpected token } in JSON at position 3')).body.error.parameter, 'body');
    assert.equal(filter.answer(new PayloadTooLargeException()).status, 413);
  });

  it('anything unexpected is a 500 that leaks nothing but a reference, which the log holds with the error', () => {
    const logged: string[] = [];
    const original = Logger.prototype.error;
    Logger.prototype.error = function (message: unknown) {
      logged.push(String(message));
    };
    try {
      const { status, body } = filter.answer(new Error('SQLITE_ERROR: near "OR": syntax error in SELECT * FROM alerts at /var/lib/greenwatch'));
      assert.equal(status, 500);
      assert.match(body.error.message, /^internal error \(ref [0-9a-f-]{36}\)$/);
      assert.ok(!JSON.stringify(body).includes('SQLITE'));
      const ref = /ref ([0-9a-f-]+)/.exec(body.error.message)![1];
      assert.ok(logged.some((l) => l.includes(ref) && l.includes('SQLITE_ERROR')));
    } finally {
      Logger.prototype.error = original;
    }
  });
});

describe('ZodPipe', () => {
  const schema = z.strictObject({ state: z.enum(['open', 'resolved']).optional(), n: z.string().regex(/^\d+$/, 'expected digits').optional() });
  const fail = (value: unknown, part: 'query' | 'body' = 'query') => {
    try {
      new ZodPipe(schema, part).transform(value);
    } catch (e) {
      assert.ok(e instanceof ApiError);
      return e.body().error;
    }
    assert.fail('expected a 400');
  };
  it('names the parameter: bad value, unknown key, repeated key, missing body', () => {
    assert.deepEqual(fail({ state: 'closed' }), { code: 'bad_parameter', parameter: 'state', message: 'state: expected one of "open"|"resolved", got "closed"' });
    assert.equal(fail({ foo: '1' }).parameter, 'foo');
    assert.equal(fail({ state: ['open', 'resolved'] }).parameter, 'state');
    assert.equal(fail(undefined, 'body').parameter, 'body');
  });
  it('echoes at most a short snippet of the bad value', () => {
    assert.ok(fail({ n: 'x'.repeat(500) }).message.length < 120);
  });
});
