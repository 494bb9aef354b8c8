// Labels and the deadline arithmetic the pages share.
import { t } from './i18n.js';
import { chinaTime } from './calendar.js';

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

export const label = (table, code) => (table[code] ? t(...table[code]) : code || '—');

// The longest answer each channel takes and whether it publishes (docs/api.md).
export const ANSWER_LIMIT = { hotline12328: 2000, petition: 3000, mailbox: 5000, operator: 5000 };
export const answerLimit = (channel) => ANSWER_LIMIT[channel] || 5000;

// An instant in China time, as the API and the documents state it (…23:59, not 15:59 on a UTC
// machine).
export const time = (value) => (value ? chinaTime(value) ?? value : '—');

// on_time / due_soon / overdue, as the deadline watch calls them (due soon: watch.due_soon_working_days, 1 by default).
export function deadlineState(ticket, calendar) {
  if (!ticket.deadline) return 'none';
  const ended = ['answered', 'delivered', 'closed', 'withdrawn', 'merged', 'spam', 'reassigned_out'];
  if (ended.includes(ticket.status)) return 'done';
  if (new Date(ticket.deadline) < new Date()) return 'overdue';
  const left = calendar ? calendar.daysLeft(ticket.deadline) : null;
  return left !== null && left <= 1 ? 'due_soon' : 'on_time';
}

export const DEADLINE_LABEL = {
  on_time: ['正常', 'On time'],
  due_soon: ['即将到期', 'Due soon'],
  overdue: ['已逾期', 'Overdue'],
  done: ['已答复', 'Answered'],
  none: ['无期限', 'No deadline'],
};
export const DEADLINE_TAG = {
  on_time: 'success',
  due_soon: 'warning',
  overdue: 'danger',
  done: 'info',
  none: 'info',
};

export function errorText(e) {
  return e?.message || String(e);
}
