// The router's English explanations as the Chinese pages show them (src/labels.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { explain, explainDeadline } from '../src/labels.js';

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

test("the router's deadline explanation reads in Chinese", () => {
  assert.equal(
    explainDeadline(
      'help: 7 working days after receipt on 2026-12-07, 2 non-working days skipped: due 2026-12-16T23:59:59+08:00.',
      'zh-CN',
    ),
    '求助：受理日 2026-12-07 起 7 个工作日，跳过 2 个非工作日，期限 2026-12-16 23:59:59。',
  );
  assert.equal(
    explainDeadline('critical: same day as received on 2026-12-07: due 2026-12-07T23:59:59+08:00.', 'zh-CN'),
    '特急：受理当日 2026-12-07，期限 2026-12-07 23:59:59。',
  );
  assert.equal(
    explainDeadline(
      "complaint: 15 working days after receipt on 2026-12-20: due 2027-01-12T23:59:59+08:00 (no holiday data for 2027: weekends only); the channel's deadline 2027-01-05T18:00:00+08:00 is earlier and binding.",
      'zh-CN',
    ),
    '投诉：受理日 2026-12-20 起 15 个工作日，期限 2027-01-12 23:59:59（2027 年无节假日数据，仅按周末计）；渠道期限 2027-01-05 18:00:00 更早，以其为准。',
  );
  assert.equal(
    explainDeadline("praise: no deadline; the channel's deadline 2026-12-10T18:00:00+08:00 is binding.", 'zh-CN'),
    '表扬：无办理期限；渠道期限 2026-12-10 18:00:00，以其为准。',
  );
  const english = 'help: 1 working day after receipt on 2026-12-07: due 2026-12-08T23:59:59+08:00.';
  assert.equal(explainDeadline(english, 'en'), english);
  assert.equal(explainDeadline('截止到下周五', 'zh-CN'), '截止到下周五');
});
