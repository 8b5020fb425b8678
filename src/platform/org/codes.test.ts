import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  creditCheckChar,
  idCheckChar,
  isValidCreditCode,
  isValidIdNumber,
  isValidMobile,
  isValidParent,
  maskIdNumber,
  maskPhone,
  regionLevelOf,
  regionPrefix,
} from './codes.ts';

test('GB/T 2260 codes imply their level: 6 digits province, city, county; 9 town; 12 village', () => {
  assert.equal(regionLevelOf('110000'), 'province');
  assert.equal(regionLevelOf('440300'), 'city');
  assert.equal(regionLevelOf('440305'), 'county');
  assert.equal(regionLevelOf('110101'), 'county');
  assert.equal(regionLevelOf('440305001'), 'town');
  assert.equal(regionLevelOf('440305001001'), 'village');
  for (const bad of ['', '11000', '1100000', '000000', '001100', '44030500', '440305000', '440305001000', '4403050010010', '44030a', ' 440300', '４４０３００']) {
    assert.equal(regionLevelOf(bad), null, bad);
  }
});

test('a region’s parent is the level above and shares its prefix', () => {
  assert.equal(regionPrefix('440000'), '44');
  assert.equal(regionPrefix('440300'), '4403');
  assert.equal(regionPrefix('440305'), '440305');
  assert.equal(regionPrefix('440305001'), '440305001');

  assert.ok(isValidParent('440000', 'province', null, null));
  assert.ok(!isValidParent('440000', 'province', '110000', 'province'));
  assert.ok(isValidParent('440300', 'city', '440000', 'province'));
  assert.ok(!isValidParent('440300', 'city', '450000', 'province'));
  assert.ok(!isValidParent('440300', 'city', null, null));
  assert.ok(isValidParent('440305', 'county', '440300', 'city'));
  assert.ok(!isValidParent('440305', 'county', '440000', 'province'), 'a county under a province skips the city');
  assert.ok(!isValidParent('440305', 'county', '440400', 'city'));
  assert.ok(isValidParent('440305001', 'town', '440305', 'county'));
  assert.ok(!isValidParent('440305001', 'town', '440306', 'county'));
  assert.ok(isValidParent('440305001001', 'village', '440305001', 'town'));
  assert.ok(!isValidParent('440305001001', 'village', '440305', 'county'));
  assert.ok(!isValidParent('440305002001', 'village', '440305001', 'town'));
});

test('GB 32100 unified social credit codes: real codes pass, any changed character fails', () => {
  const valid = ['91350100M000100Y43', '91110108551385082Q', '914403001922038216'];
  for (const code of valid) {
    assert.ok(isValidCreditCode(code), code);
    assert.equal(creditCheckChar(code.slice(0, 17)), code[17]);
  }
  assert.ok(!isValidCreditCode('91350100M000100Y44'), 'wrong check character');
  assert.ok(!isValidCreditCode('91350100M000100Y4'), 'too short');
  assert.ok(!isValidCreditCode('91350100M000100Y433'), 'too long');
  assert.ok(!isValidCreditCode('91350100m000100Y43'), 'lower case');
  assert.ok(!isValidCreditCode('9135010OM000100Y43'), 'a letter where the region code has digits');
  assert.ok(!isValidCreditCode('91350100I000100Y43'), 'I is not in the alphabet');
  assert.ok(!isValidCreditCode('91350100M000100O43'), 'O is not in the alphabet');
  assert.ok(!isValidCreditCode(''));
  // Swapping two characters changes the weighted sum.
  assert.ok(!isValidCreditCode('91351000M000100Y43'));
  // Every single-character change of a valid code is caught.
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  for (let i = 8; i < 17; i++) {
    for (const c of alphabet) {
      if (c === valid[0][i]) continue;
      const changed = valid[0].slice(0, i) + c + valid[0].slice(i + 1);
      assert.ok(!isValidCreditCode(changed), changed);
    }
  }
});

test('GB 11643 ID numbers: check character and a real birth date', () => {
  assert.ok(isValidIdNumber('11010519491231002X'));
  assert.equal(idCheckChar('11010519491231002'), 'X');
  assert.ok(!isValidIdNumber('110105194912310021'), 'wrong check character');
  assert.ok(!isValidIdNumber('11010519491231002x'), 'lower-case x');
  assert.ok(!isValidIdNumber('11010519491231002'), 'too short');
  assert.ok(!isValidIdNumber('1101051949123100X2'), 'X not last');
  assert.ok(!isValidIdNumber('110105491231002'), 'the old 15-digit form');
  const withCheck = (first17: string) => first17 + idCheckChar(first17);
  assert.ok(isValidIdNumber(withCheck('44030520000229001')), '29 February of a leap year');
  assert.ok(!isValidIdNumber(withCheck('44030519000229001')), '1900 was not a leap year');
  assert.ok(!isValidIdNumber(withCheck('44030519490230001')), '30 February');
  assert.ok(!isValidIdNumber(withCheck('44030519491301001')), 'month 13');
  assert.ok(!isValidIdNumber(withCheck('44030519490100001')), 'day 0');
  assert.ok(!isValidIdNumber(withCheck('44030518991231001')), 'before 1900');
  const nextYear = new Date().getUTCFullYear() + 1;
  assert.ok(!isValidIdNumber(withCheck(`440305${nextYear}0101001`)), 'born in the future');
});

test('mobile numbers and masks', () => {
  assert.ok(isValidMobile('13800138000'));
  assert.ok(isValidMobile('19912345678'));
  assert.ok(!isValidMobile('12800138000'));
  assert.ok(!isValidMobile('1380013800'));
  assert.ok(!isValidMobile('+8613800138000'));
  assert.equal(maskPhone('13800138000'), '138****8000');
  assert.equal(maskPhone('123'), '****');
  assert.equal(maskIdNumber('11010519491231002X'), '110105********002X');
});
