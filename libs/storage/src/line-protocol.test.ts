import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineProtocolError, escapeKey, escapeMeasurement, escapeStringField, formatFieldValue, toLine } from './line-protocol.js';

/** Expected strings below are written by hand from docs.influxdata.com, "Line protocol", special characters. */
describe('escapeMeasurement', () => {
  it('escapes comma and space, and nothing else', () => {
    assert.equal(escapeMeasurement('noise'), 'noise');
    assert.equal(escapeMeasurement('a,b'), 'a\\,b');
    assert.equal(escapeMeasurement('a b'), 'a\\ b');
    assert.equal(escapeMeasurement('a=b'), 'a=b');
    assert.equal(escapeMeasurement('a"b'), 'a"b');
    assert.equal(escapeMeasurement('a, b,c'), 'a\\,\\ b\\,c');
  });

  it('refuses an empty name and a newline', () => {
    assert.throws(() => escapeMeasurement(''), LineProtocolError);
    assert.throws(() => escapeMeasurement('a\nb'), LineProtocolError);
    assert.throws(() => escapeMeasurement('a\rb'), LineProtocolError);
  });
});

describe('escapeKey (tag keys, tag values, field keys)', () => {
  it('escapes comma, equals sign and space', () => {
    assert.equal(escapeKey('plain-value_1'), 'plain-value_1');
    assert.equal(escapeKey('a,b'), 'a\\,b');
    assert.equal(escapeKey('a=b'), 'a\\=b');
    assert.equal(escapeKey('a b'), 'a\\ b');
    assert.equal(escapeKey(',= '), '\\,\\=\\ ');
  });

  it('leaves double quotes and inner backslashes literal', () => {
    assert.equal(escapeKey('say "hi"'), 'say\\ "hi"');
    assert.equal(escapeKey('a\\b'), 'a\\b');
  });

  it('keeps non-ASCII as it is', () => {
    assert.equal(escapeKey('一号 小区'), '一号\\ 小区');
  });

  it('refuses a newline (no escape exists for it)', () => {
    assert.throws(() => escapeKey('a\nb'), { name: 'LineProtocolError', message: /newline/ });
    assert.throws(() => escapeKey('a\r'), LineProtocolError);
  });

  it('refuses a trailing backslash (it would escape the separator after it)', () => {
    assert.throws(() => escapeKey('a\\'), { name: 'LineProtocolError', message: /backslash/ });
  });
});

describe('escapeStringField', () => {
  it('quotes and escapes double quote and backslash', () => {
    assert.equal(escapeStringField('v1.2'), '"v1.2"');
    assert.equal(escapeStringField('say "hi"'), '"say \\"hi\\""');
    assert.equal(escapeStringField('C:\\fw'), '"C:\\\\fw"');
    assert.equal(escapeStringField('ends with \\'), '"ends with \\\\"');
    assert.equal(escapeStringField(''), '""');
  });

  it('leaves comma, equals and space alone inside the quotes', () => {
    assert.equal(escapeStringField('a, b=c'), '"a, b=c"');
  });

  it('refuses a newline', () => {
    assert.throws(() => escapeStringField('line1\nline2'), LineProtocolError);
  });
});

describe('formatFieldValue', () => {
  it('numbers are floats, written without a suffix', () => {
    assert.equal(formatFieldValue(55.5), '55.5');
    assert.equal(formatFieldValue(100000), '100000');
    assert.equal(formatFieldValue(-3), '-3');
    assert.equal(formatFieldValue(0), '0');
  });

  it('integers carry the i suffix', () => {
    assert.equal(formatFieldValue({ int: 7 }), '7i');
    assert.equal(formatFieldValue({ int: -5 }), '-5i');
    assert.equal(formatFieldValue({ int: 0 }), '0i');
    assert.equal(formatFieldValue({ int: Number.MAX_SAFE_INTEGER }), '9007199254740991i');
  });

  it('booleans are true/false', () => {
    assert.equal(formatFieldValue(true), 'true');
    assert.equal(formatFieldValue(false), 'false');
  });

  it('strings are quoted', () => {
    assert.equal(formatFieldValue('x'), '"x"');
  });

  it('refuses NaN, infinities and integers that are not safe', () => {
    for (const v of [NaN, Infinity, -Infinity]) assert.throws(() => formatFieldValue(v), LineProtocolError, String(v));
    assert.throws(() => formatFieldValue({ int: 1.5 }), LineProtocolError);
    assert.throws(() => formatFieldValue({ int: 2 ** 53 }), LineProtocolError);
  });
});

describe('toLine', () => {
  it('measurement, tags sorted by key, fields in their order, ms timestamp', () => {
    assert.equal(toLine('noise', { zone: '1', community: 'demo', device: 'n-01', compound: 'c1' }, { laeq: 55.5, seq: { int: 3 } }, 1795867200000), 'noise,community=demo,compound=c1,device=n-01,zone=1 laeq=55.5,seq=3i 1795867200000');
  });

  it('sorts tag keys by code unit (uppercase before lowercase), as InfluxDB does', () => {
    assert.equal(toLine('m', { type: 't', deviceType: 'noise', device: 'd', community: 'c' }, { count: { int: 1 } }, 1), 'm,community=c,device=d,deviceType=noise,type=t count=1i 1');
    assert.equal(toLine('m', { b: '1', B: '2', a: '3' }, { f: 1 }, 1), 'm,B=2,a=3,b=1 f=1 1');
  });

  it('leaves out undefined and empty tags, and undefined fields', () => {
    assert.equal(toLine('m', { a: undefined, b: '', c: 'x' }, { f: undefined, g: 2 }, 5), 'm,c=x g=2 5');
  });

  it('a point without tags', () => {
    assert.equal(toLine('m', {}, { f: true }, 0), 'm f=true 0');
  });

  it('escapes every part at once', () => {
    assert.equal(
      toLine('my m,x', { 't k=': 'v,a l=u' }, { 'f k': 's "q" \\ x', i: { int: -5 }, b: false }, 1),
      'my\\ m\\,x,t\\ k\\==v\\,a\\ l\\=u f\\ k="s \\"q\\" \\\\ x",i=-5i,b=false 1',
    );
  });

  it('an injection attempt in a tag value stays one tag', () => {
    assert.equal(toLine('m', { device: 'x,zone=0 evil=1' }, { f: 1 }, 1), 'm,device=x\\,zone\\=0\\ evil\\=1 f=1 1');
  });

  it('an injection attempt in a string field stays one string', () => {
    assert.equal(toLine('m', {}, { fw: '1" other=2i' }, 1), 'm fw="1\\" other=2i" 1');
  });

  it('refuses a point without fields', () => {
    assert.throws(() => toLine('m', { a: 'b' }, {}, 1), { name: 'LineProtocolError', message: /no fields/ });
    assert.throws(() => toLine('m', {}, { a: undefined }, 1), LineProtocolError);
  });

  it('refuses a timestamp that is not an integer', () => {
    assert.throws(() => toLine('m', {}, { a: 1 }, 1.5), LineProtocolError);
    assert.throws(() => toLine('m', {}, { a: 1 }, NaN), LineProtocolError);
  });

  it('refuses a newline anywhere', () => {
    assert.throws(() => toLine('m', { a: 'b\nm2 f=1' }, { f: 1 }, 1), LineProtocolError);
    assert.throws(() => toLine('m', { 'a\n': 'b' }, { f: 1 }, 1), LineProtocolError);
    assert.throws(() => toLine('m', {}, { 'f\n': 1 }, 1), LineProtocolError);
    assert.throws(() => toLine('m', {}, { f: 'x\ny' }, 1), LineProtocolError);
  });

  it('refuses a tag value or field key that ends with a backslash', () => {
    assert.throws(() => toLine('m', { a: 'b\\' }, { f: 1 }, 1), LineProtocolError);
    assert.throws(() => toLine('m', {}, { 'f\\': 1 }, 1), LineProtocolError);
  });
});
