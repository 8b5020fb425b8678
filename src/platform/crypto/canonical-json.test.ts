import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from './canonical-json.ts';
import { sm3 } from './index.ts';

// These strings are what stored audit chains and certificates were hashed over: they must not move.

test('object keys are sorted at every level, by UTF-16 code unit, with no whitespace', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  // Upper case before lower case, digits before letters, '_' between them: plain code-unit order, not locale order.
  assert.equal(canonicalJson({ b: 1, B: 2, _: 3, '10': 4, '9': 5 }), '{"10":4,"9":5,"B":2,"_":3,"b":1}');
  // Insertion order does not matter: a jsonb round trip reorders keys.
  assert.equal(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 }));
});

test('arrays keep their order; empty containers stay empty', () => {
  assert.equal(canonicalJson([3, 1, 2]), '[3,1,2]');
  assert.equal(canonicalJson({ list: [], map: {} }), '{"list":[],"map":{}}');
  assert.equal(canonicalJson([[1, [2]], { k: [] }]), '[[1,[2]],{"k":[]}]');
});

test('unicode is written as is, only JSON escapes are escaped', () => {
  assert.equal(canonicalJson({ 名称: '营业执照', note: 'line\n"quoted"\\ \u0001' }), '{"note":"line\\n\\"quoted\\"\\\\ \\u0001","名称":"营业执照"}');
  // Keys outside the BMP sort by their surrogate code units, as JavaScript compares strings.
  assert.equal(canonicalJson({ '\u{1F600}': 1, '\uFFFF': 2 }), '{"😀":1,"\uFFFF":2}');
});

test('numbers, booleans and strings are written as JSON.stringify writes them', () => {
  assert.equal(canonicalJson({ int: 42, neg: -7, frac: 0.1, big: 1e21, small: 1e-7, zero: -0 }), '{"big":1e+21,"frac":0.1,"int":42,"neg":-7,"small":1e-7,"zero":0}');
  assert.equal(canonicalJson({ nan: Number.NaN, inf: Infinity }), '{"inf":null,"nan":null}');
  assert.equal(canonicalJson([true, false, '', '0']), '[true,false,"","0"]');
  assert.equal(canonicalJson('text'), '"text"');
  assert.equal(canonicalJson(12), '12');
});

test('undefined members are dropped, undefined elsewhere is null, null stays null', () => {
  assert.equal(canonicalJson({ a: undefined, b: null, c: 1 }), '{"b":null,"c":1}');
  assert.equal(canonicalJson([undefined, null, 1]), '[null,null,1]');
  assert.equal(canonicalJson(undefined), 'null');
  assert.equal(canonicalJson(null), 'null');
  assert.equal(canonicalJson({}), '{}');
});

test('dates are written as their ISO text, the way jsonb would store them', () => {
  assert.equal(canonicalJson({ at: new Date('2026-01-02T03:04:05.678Z') }), '{"at":"2026-01-02T03:04:05.678Z"}');
});

test('the same content read back from jsonb gives the same text and the same SM3 digest', () => {
  const written = { unit: '市场监管局', items: [{ code: 'A01', qty: 2 }], meta: { issued: '2026-01-02', by: null } };
  const readBack = JSON.parse(JSON.stringify({ meta: { by: null, issued: '2026-01-02' }, items: [{ qty: 2, code: 'A01' }], unit: '市场监管局' }));
  assert.equal(canonicalJson(readBack), canonicalJson(written));
  assert.equal(sm3(canonicalJson(readBack)), sm3('{"items":[{"code":"A01","qty":2}],"meta":{"by":null,"issued":"2026-01-02"},"unit":"市场监管局"}'));
});
