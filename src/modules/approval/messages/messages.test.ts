import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approvalMessages } from './index.ts';
import { approvalTemplates } from '../templates.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every approval message exists in both locales, with the same placeholders', () => {
  for (const catalogue of approvalMessages) {
    assert.deepEqual(Object.keys(catalogue.en).sort(), Object.keys(catalogue['zh-CN']).sort());
    for (const [key, text] of Object.entries(catalogue['zh-CN'])) {
      assert.deepEqual(placeholders(catalogue.en[key]), placeholders(text), key);
    }
  }
});

test('every approval notification template has both locales, with the same placeholders', () => {
  for (const [name, template] of Object.entries(approvalTemplates)) {
    for (const part of ['subject', 'text'] as const) {
      assert.deepEqual(placeholders(template.en[part]), placeholders(template['zh-CN'][part]), `${name}.${part}`);
    }
  }
});
