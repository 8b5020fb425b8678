// The catalogue editor's form logic, without HTTP or a database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOp, fromItem, newEditorValues, readEditor, readOp, toItemInput, yuan } from './editor.ts';

const U0 = 'unit-0';
const U1 = 'unit-1';

function filled() {
  const v = newEditorValues(U0);
  return {
    ...v,
    name: '测试事项',
    legalBasis: '依据',
    conditions: '条件',
    statutoryDays: '20',
    promisedDays: '10',
    resultName: '决定书',
    consultPhone: '0999-1',
    materials: [{ key: 'form', name: '申请表', required: true, copies: '1', allowPending: false, description: '', blankFileId: '', exampleFileId: '' }],
  };
}

test('operations are read from the button value, anything unknown saves', () => {
  assert.deepEqual(readOp('add-stage'), { type: 'add-stage' });
  assert.deepEqual(readOp('add-step:2'), { type: 'add-step', stage: 2 });
  assert.deepEqual(readOp('remove-step:1.0'), { type: 'remove-step', stage: 1, index: 0 });
  assert.deepEqual(readOp('remove-material:3'), { type: 'remove-material', index: 3 });
  assert.deepEqual(readOp('remove-material:x'), { type: 'save' });
  assert.deepEqual(readOp('remove-step:1'), { type: 'save' });
  assert.deepEqual(readOp(''), { type: 'save' });
  assert.deepEqual(readOp('preview'), { type: 'preview' });
});

test('adding a parallel step turns a stage parallel; removing the last step of a stage removes the stage', () => {
  let v = applyOp(filled(), { type: 'add-stage' });
  assert.equal(v.stages.length, 2);
  assert.equal(v.stages[1].steps[0].role, 'approver');
  v = applyOp(v, { type: 'add-step', stage: 1 });
  assert.equal(v.stages[1].steps.length, 2);
  v = applyOp(v, { type: 'remove-step', stage: 1, index: 0 });
  assert.equal(v.stages[1].steps.length, 1);
  v = applyOp(v, { type: 'remove-step', stage: 1, index: 0 });
  assert.equal(v.stages.length, 1);
  // The only stage stays.
  v = applyOp(v, { type: 'remove-stage', index: 0 });
  assert.equal(v.stages.length, 1);
  v = applyOp(v, { type: 'remove-material', index: 0 });
  assert.equal(v.materials.length, 0);
});

test('the posted form is read back by row index, gaps and all', () => {
  const v = readEditor({
    name: ' 名称 ',
    'fee.charged': 'yes',
    'materials.0.key': 'a',
    'materials.0.name': 'A',
    'materials.0.required': 'on',
    'materials.2.key': 'c',
    'materials.2.name': 'C',
    'process.stages.0.parallel.0.key': 'accept',
    'process.stages.1.mode': 'any',
    'process.stages.1.parallel.0.key': 'x',
    'process.stages.1.parallel.3.key': 'y',
  });
  assert.equal(v.name, '名称');
  assert.equal(v.feeCharged, true);
  assert.deepEqual(v.materials.map((m) => [m.key, m.required]), [['a', true], ['c', false]]);
  assert.equal(v.stages[1].mode, 'any');
  assert.deepEqual(v.stages[1].steps.map((s) => s.key), ['x', 'y']);
});

test('values become an item input: one step is a stage, several are parallel; yuan become fen', () => {
  const v = filled();
  v.feeCharged = true;
  v.feeAmount = '12.5';
  v.feeBasis = '收费依据';
  v.stages = [
    { mode: 'all', steps: [{ key: 'accept', name: '受理', unitId: U0, role: 'window_clerk', days: '1' }] },
    { mode: 'any', steps: [{ key: 'a', name: 'A', unitId: U0, role: 'approver', days: '3' }, { key: 'b', name: 'B', unitId: U1, role: 'approver', days: '2' }] },
  ];
  v.formFields = [{ key: 'kind', label: '类型', type: 'select', required: true, options: '甲、乙,丙' }, { key: '', label: '', type: 'text', required: false, options: '' }];
  v.themes = '交通、 城市管理，交通';
  v.targetEnterprise = false;
  v.handlingType = 'instant';
  v.place = '市民中心二楼 A 区';
  v.faq = '怎么办理？\n到窗口提交材料。\n\n问：收费吗？\n答：不收费。\n网上也能办。';
  const { input, errors } = toItemInput(v);
  assert.deepEqual(errors, []);
  assert.equal(input!.fee.amountFen, 1250);
  assert.deepEqual(input!.process.stages[0], { key: 'accept', name: '受理', unitId: U0, role: 'window_clerk', days: 1 });
  assert.deepEqual(input!.process.stages[1], { parallel: [{ key: 'a', name: 'A', unitId: U0, role: 'approver', days: 3 }, { key: 'b', name: 'B', unitId: U1, role: 'approver', days: 2 }], mode: 'any' });
  assert.deepEqual(input!.formFields, [{ key: 'kind', label: '类型', type: 'select', required: true, options: ['甲', '乙', '丙'] }], 'the blank row is left out');
  assert.deepEqual(input!.themes, ['交通', '城市管理', '交通']);
  assert.equal(yuan(1250), '12.50');
  // Round trip through an item.
  const again = fromItem({ ...input!, code: 'C-1', formFields: input!.formFields ?? [], themes: input!.themes ?? [], lifeEvents: input!.lifeEvents ?? [] });
  assert.equal(again.feeAmount, '12.50');
  assert.equal(again.stages[1].mode, 'any');
  assert.equal(again.formFields[0].options, '甲、乙、丙');
  assert.deepEqual(input!.targets, ['person']);
  assert.equal(input!.handlingType, 'instant');
  assert.deepEqual(input!.faq, [
    { question: '怎么办理？', answer: '到窗口提交材料。' },
    { question: '收费吗？', answer: '不收费。\n网上也能办。' },
  ]);
  assert.equal(again.faq, '怎么办理？\n到窗口提交材料。\n\n收费吗？\n不收费。\n网上也能办。');
  assert.equal(again.targetPerson && !again.targetEnterprise, true);
  assert.equal(again.place, '市民中心二楼 A 区');
  v.targetPerson = false;
  assert.ok(toItemInput(v).errors.some((e) => e.path === 'targets'), 'at least one kind of applicant');
});

test('problems point at the inputs, with blank rows skipped in the numbering', () => {
  const v = filled();
  v.statutoryDays = 'twenty';
  v.feeAmount = '1.234';
  v.materials = [{ key: '', name: '', required: false, copies: '', allowPending: false, description: '', blankFileId: '', exampleFileId: '' }, { key: 'Bad Key', name: 'B', required: true, copies: 'x', allowPending: false, description: '', blankFileId: '', exampleFileId: '' }];
  v.stages[0].steps[0].days = '';
  const { input, errors, fieldOf } = toItemInput(v);
  assert.equal(input, null);
  const paths = errors.map((e) => e.path);
  assert.ok(paths.includes('statutoryDays'));
  assert.ok(paths.includes('fee.amount'));
  assert.ok(paths.includes('materials.1.copies'), paths.join());
  assert.ok(paths.includes('process.stages.0.parallel.0.days'));
  // Service paths come back to the inputs they concern.
  assert.equal(fieldOf('materials.0.key'), 'materials.1.key');
  assert.equal(fieldOf('process.stages.0.role'), 'process.stages.0.parallel.0.role');
  assert.equal(fieldOf('process.stages.1.parallel.1.unitId'), 'process.stages.1.parallel.1.unitId');
  assert.equal(fieldOf('fee.amountFen'), 'fee.amount');
});
