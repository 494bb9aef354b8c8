// Code labels in Chinese and English, and the hub's explanations (routing reasons, duplicate
// reasons: English from the router) put into the page's language. No browser APIs here, so node
// tests it directly (web/tests/labels.test.mjs).

export const STATUS = {
  received: ['已接收', 'Received'],
  triage: ['待分派', 'Triage'],
  assigned: ['已分派', 'Assigned'],
  in_progress: ['办理中', 'In progress'],
  answered: ['已答复', 'Answered'],
  delivered: ['已送达', 'Delivered'],
  closed: ['已办结', 'Closed'],
  returned: ['已退回', 'Returned'],
  reopened: ['重新办理', 'Reopened'],
  withdrawn: ['已撤回', 'Withdrawn'],
  reassigned_out: ['已转出', 'Moved out'],
  spam: ['无效', 'Spam'],
  merged: ['已合并', 'Merged'],
};
export const CHANNEL = {
  hotline12328: ['12328热线', '12328 hotline'],
  mailbox: ['局长信箱', "Director's mailbox"],
  petition: ['网络理政', 'Online petition'],
  operator: ['电话受理', 'Phone (operator)'],
  districtsys: ['区县系统', 'District system'],
};
export const KIND = {
  consultation: ['咨询', 'Consultation'],
  complaint: ['投诉', 'Complaint'],
  report: ['举报', 'Report'],
  suggestion: ['建议', 'Suggestion'],
  help: ['求助', 'Help'],
  praise: ['表扬', 'Praise'],
  disclosure: ['依申请公开', 'Disclosure request'],
  other: ['其他', 'Other'],
};

export const URGENCY = {
  normal: ['普通', 'Normal'],
  urgent: ['紧急', 'Urgent'],
  critical: ['特急', 'Critical'],
};

export const CATEGORY = {
  taxi: ['出租汽车', 'Taxi'],
  ride_hailing: ['网约车', 'Ride hailing'],
  bus: ['公共汽电车', 'Bus'],
  road_passenger: ['道路客运', 'Road passenger'],
  road_freight: ['道路货运', 'Road freight'],
  vehicle_repair: ['机动车维修', 'Vehicle repair'],
  driver_training: ['驾驶员培训', 'Driver training'],
  road_administration: ['公路路政', 'Road administration'],
  road_maintenance: ['公路养护', 'Road maintenance'],
  waterway: ['水路运输', 'Waterway'],
  construction: ['交通工程建设', 'Construction'],
  other: ['其他', 'Other'],
};
export const REPLY_STATE = {
  queued: ['排队中', 'Queued'],
  sending: ['发送中', 'Sending'],
  delivered: ['已送达', 'Delivered'],
  retrying: ['重试中', 'Retrying'],
  failed: ['发送失败', 'Failed'],
};


// deadlineState's values (format.js).
export const DEADLINE_LABEL = {
  on_time: ['正常', 'On time'],
  due_soon: ['即将到期', 'Due soon'],
  overdue: ['已逾期', 'Overdue'],
  done: ['已答复', 'Answered'],
  none: ['无期限', 'No deadline'],
};

// The parts the router writes (router/routing_rules.cpp, ticket_router.cpp, duplicates.cpp), in
// Chinese; a part it does not know stays as written.
const PARTS = [
  [/^no rule matched$/, () => '无规则匹配'],
  [/^matches every appeal$/, () => '适用于所有诉求'],
  [/^the channel marked it as spam$/, () => '渠道已标记为无效'],
  [/^channel (.+)$/, (m) => '渠道 ' + zh(CHANNEL, m[1])],
  [/^kind (.+)$/, (m) => '类型 ' + zh(KIND, m[1])],
  [/^category (.+)$/, (m) => '类别 ' + zh(CATEGORY, m[1])],
  [/^division (.+)$/, (m) => '区划 ' + m[1]],
  [/^keyword (.+)$/, (m) => '关键词 ' + m[1]],
  [/^plate (.+)$/, (m) => '车牌 ' + m[1]],
  [/^urgency (.+)$/, (m) => '紧急程度 ' + zh(URGENCY, m[1])],
  [/^same phone$/, () => '同一电话'],
  [/^masked phone matches$/, () => '脱敏电话相符'],
  [/^same plate$/, () => '同一车牌'],
  [/^text similarity (.+)$/, (m) => '文本相似度 ' + m[1]],
  [/^shared phrases (.+)$/, (m) => '共同语句 ' + m[1]],
  [/^district differs$/, () => '区县不同'],
  [/^place differs$/, () => '地点不同'],
  [/^category differs$/, () => '类别不同'],
];
const zh = (table, code) => (table[code] ? table[code][0] : code);

function part(text) {
  for (const [pattern, render] of PARTS) {
    const m = text.match(pattern);
    if (m) return render(m);
  }
  return null;
}

// "rule road-occupation: keyword 占道经营" -> "规则 road-occupation：关键词 占道经营" for zh-CN;
// unchanged for English, and unchanged when a part is not one the hub writes (a person's text).
export function explain(text, locale) {
  if (!text || locale === 'en') return text;
  let head = '';
  let rest = text;
  let m = rest.match(/^(dispatched|reassigned) by ([^:]+): (.*)$/s);
  if (m) return (m[1] === 'dispatched' ? '人工分派' : '改派') + '（' + m[2] + '）：' + m[3];
  m = rest.match(/^rule ([^:]+): (.*)$/s);
  if (m) {
    head = '规则 ' + m[1] + '：';
    rest = m[2];
  } else if ((m = rest.match(/^similar text: (.*)$/s))) {
    head = '文本相似：';
    rest = m[1];
  }
  const parts = rest.split(', ').map(part);
  return parts.includes(null) ? text : head + parts.join('，');
}

// The router's deadline explanation (core/deadline.cpp, DeadlineComputation::explain) in Chinese:
// "help: 7 working days after receipt on 2026-12-07, 2 non-working days skipped: due
// 2026-12-16T23:59:59+08:00." -> "求助：受理日 2026-12-07 起 7 个工作日，跳过 2 个非工作日，期限
// 2026-12-16 23:59:59。" Unchanged for English, and when it is not in that form.
export function explainDeadline(text, locale) {
  if (!text || locale === 'en') return text;
  const instant = (iso) => iso.replace('T', ' ').replace(/\+08:00$/, '');
  const m = text.match(
    /^([a-z_]+): (?:(same day|\d+ working days?)(?: (after receipt|as received) on (\d{4}-\d{2}-\d{2}))?(?:, (\d+) non-working days? skipped)?: due (\S+?)|no deadline)( \(no holiday data for ([\d ]+): weekends only\))?(?:; the channel's deadline (\S+) (is not earlier|is earlier and binding|is binding))?\.$/,
  );
  if (!m) return text;
  const [, subject, days, , received, skipped, due, uncovered, years, channel, verdict] = m;
  let out = zh(KIND[subject] ? KIND : URGENCY, subject) + '：';
  if (!days) {
    out += '无办理期限';
  } else {
    if (days === 'same day') out += received ? `受理当日 ${received}` : '当日';
    else out += (received ? `受理日 ${received} 起 ` : '') + days.replace(/ working days?/, ' 个工作日');
    if (skipped) out += `，跳过 ${skipped} 个非工作日`;
    out += `，期限 ${instant(due)}`;
  }
  if (uncovered) out += `（${years.trim().split(' ').join('、')} 年无节假日数据，仅按周末计）`;
  if (channel) {
    out += `；渠道期限 ${instant(channel)}`;
    out += verdict === 'is not earlier' ? ' 不早于此' : verdict === 'is binding' ? '，以其为准' : ' 更早，以其为准';
  }
  return out + '。';
}
