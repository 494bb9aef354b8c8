// The router's English explanations as the Chinese pages show them (src/labels.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { explain } from '../src/labels.js';

test('a routing reason reads in Chinese, codes by their labels', () => {
  assert.equal(explain('no rule matched', 'zh-CN'), '无规则匹配');
  assert.equal(explain('rule road-occupation: keyword 占道经营', 'zh-CN'), '规则 road-occupation：关键词 占道经营');
  assert.equal(
    explain('rule taxi-refusal: kind complaint, category taxi, keyword 拒载', 'zh-CN'),
    '规则 taxi-refusal：类型 投诉，类别 出租汽车，关键词 拒载',
  );
  assert.equal(explain('rule catch-all: matches every appeal', 'zh-CN'), '规则 catch-all：适用于所有诉求');
});

test("a person's placement keeps their reason as written", () => {
  assert.equal(explain('dispatched by op1: 执法支队处理', 'zh-CN'), '人工分派（op1）：执法支队处理');
  assert.equal(explain('reassigned by mgr: wrong unit, sorry', 'zh-CN'), '改派（mgr）：wrong unit, sorry');
});

test('a duplicate reason reads in Chinese', () => {
  assert.equal(
    explain('similar text: same phone, text similarity 0.82, shared phrases 「利州区」', 'zh-CN'),
    '文本相似：同一电话，文本相似度 0.82，共同语句 「利州区」',
  );
});

test('English stays as the hub wrote it, and so does a text the hub did not write', () => {
  assert.equal(explain('no rule matched', 'en'), 'no rule matched');
  assert.equal(explain('师傅说不行, 我就投诉了', 'zh-CN'), '师傅说不行, 我就投诉了');
  assert.equal(explain('', 'zh-CN'), '');
  assert.equal(explain(undefined, 'zh-CN'), undefined);
});
