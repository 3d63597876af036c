// Words of the people-facing formats (table, markdown, html) in English and Chinese (--lang).
// Metric and platform names come from the rule packs; reasons stay as the engine wrote them.

export type Lang = 'en' | 'zh';

export const LABELS = {
  en: {
    date: 'Date', eligible: 'Eligible', passed: 'Passed', pending: 'Pending', rate: 'Rate', status: 'Status', total: 'Total',
    average: 'Average', hours: 'Hours', agent: 'Agent', vsTarget: 'vs target', meets: 'meets', below: 'below', penalties: 'Penalties',
    noPenalties: 'No penalties.', totals: 'Totals', fines: 'fines', points: 'points', warnings: 'warnings', restrictions: 'restrictions',
    notCounted: 'Not counted', none: 'none', projection: 'Projection', asOf: 'as of', assumes: 'assumes', target: 'target',
    metric: 'Metric', kind: 'Kind', amount: 'Amount', reason: 'Reason', input: 'Input', records: 'records', files: 'files',
    badRows: 'bad rows (listed on stderr)', duplicates: 'duplicates merged', rules: 'rules', noData: 'no data', noMessages: 'No messages to audit.',
    allShops: 'All shops', shop: 'Shop', dayAssessed: 'Day assessed', monthToDate: 'Month to date', window: 'window',
    pass: 'PASS', fail: 'FAIL', na: 'n/a', fine: 'fine', warning: 'warning', restriction: 'restriction', pointsKind: 'points',
    items: 'Failed and pending items', outcome: 'Outcome', start: 'Start', buyer: 'Buyer', message: 'Message', reply: 'Reply', why: 'Why',
    assumed: 'assumed', totalsAllShops: 'Totals for all shops', portfolio: 'Portfolio', platform: 'Platform', missing: 'missing data', findings: 'Conduct findings', detector: 'Detector', matched: 'Matched', penalized: 'penalized', time: 'Time',
  },
  zh: {
    date: '日期', eligible: '计入', passed: '达标', pending: '待定', rate: '比率', status: '状态', total: '合计',
    average: '平均', hours: '时长', agent: '客服', vsTarget: '对比目标', meets: '达标', below: '未达标', penalties: '处罚',
    noPenalties: '无处罚。', totals: '合计', fines: '违约金', points: '扣分', warnings: '警告', restrictions: '限制',
    notCounted: '不计入', none: '无', projection: '预测', asOf: '截至', assumes: '假设', target: '目标',
    metric: '指标', kind: '类型', amount: '金额', reason: '原因', input: '输入', records: '条记录', files: '个文件',
    badRows: '条坏行(见标准错误)', duplicates: '条重复已合并', rules: '规则', noData: '无数据', noMessages: '没有可审计的消息。',
    allShops: '全部店铺', shop: '店铺', dayAssessed: '当日考核', monthToDate: '本月累计', window: '考核窗口',
    pass: '达标', fail: '未达标', na: '不考核', fine: '违约金', warning: '警告', restriction: '限制', pointsKind: '扣分',
    items: '未达标及待定项', outcome: '结果', start: '开始', buyer: '买家', message: '消息', reply: '回复', why: '原因',
    assumed: '假设值', totalsAllShops: '全部店铺合计', portfolio: '店铺总览', platform: '平台', missing: '缺数据', findings: '服务规范问题', detector: '检测项', matched: '命中内容', penalized: '将被处罚', time: '时间',
  },
} as const;

export type Labels = (typeof LABELS)[Lang];

/** --lang, else LANG/LC_ALL: Chinese when the locale is zh_*, English otherwise. */
export function langFrom(option: string | undefined, env: NodeJS.ProcessEnv): Lang {
  if (option === 'zh' || option === 'en') return option;
  const locale = env.LC_ALL || env.LANG || '';
  return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function kindLabel(kind: string, l: Labels): string {
  return kind === 'fine' ? l.fine : kind === 'warning' ? l.warning : kind === 'restriction' ? l.restriction : kind === 'points' ? l.pointsKind : kind;
}

/** A metric as penalty and item rows name it: its Chinese name under --lang zh, its id otherwise. */
export function metricLabel(id: string, metrics: readonly { id: string; name: { zh: string } }[], l: Labels): string {
  if (l !== LABELS.zh) return id;
  if (id === 'conduct') return '服务规范';
  return metrics.find((m) => m.id === id)?.name.zh ?? id;
}
