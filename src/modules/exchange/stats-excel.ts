/** The exchange statistics as an Excel workbook (收发统计), Chinese headings, one row per unit. */
import { loadExcel } from '../../platform/lazy.ts';
import type { StatsPeriod, UnitStats } from './queries/stats.ts';

const COLUMNS: Array<{ key: keyof UnitStats; header: string; width: number; format?: string }> = [
  { key: 'unitName', header: '单位', width: 30 },
  { key: 'sent', header: '发文数', width: 10 },
  { key: 'received', header: '收文数', width: 10 },
  { key: 'signed', header: '已签收', width: 10 },
  { key: 'returned', header: '已退回', width: 10 },
  { key: 'signRate', header: '签收率', width: 10, format: '0.00%' },
  { key: 'avgHoursToSign', header: '平均签收用时（小时）', width: 20, format: '0.00' },
  { key: 'overdue', header: '超时签收', width: 10 },
];

export async function writeStatsWorkbook(period: StatsPeriod, items: UnitStats[]): Promise<Buffer> {
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  workbook.creator = 'Zhengtong';
  const sheet = workbook.addWorksheet('收发统计', { views: [{ state: 'frozen', ySplit: 2 }] });
  sheet.addRow([`统计期间：${period.from} 至 ${period.to}`]);
  sheet.addRow(COLUMNS.map((c) => c.header)).font = { bold: true };
  COLUMNS.forEach((c, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = c.width;
    if (c.format) column.numFmt = c.format;
  });
  for (const item of items) sheet.addRow(COLUMNS.map((c) => item[c.key]));
  const total = (key: 'sent' | 'received' | 'signed' | 'returned' | 'overdue') => items.reduce((sum, i) => sum + i[key], 0);
  const received = total('received');
  sheet.addRow(['合计', total('sent'), received, total('signed'), total('returned'), received ? total('signed') / received : 0, null, total('overdue')]).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
