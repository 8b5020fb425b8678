import type { MessageCatalogue } from '../i18n/index.ts';

export const calendarMessages: MessageCatalogue = {
  'zh-CN': {
    'calendar.dateInvalid': '“{value}”不是有效的日期，应为 YYYY-MM-DD 格式的实际日期',
    'calendar.dateOutOfRange': '日期须在 {min} 至 {max} 之间',
    'calendar.yearOutOfRange': '年份须在 {min} 至 {max} 之间',
    'calendar.daysOutOfRange': '工作日数须为 -{max} 至 {max} 之间的整数',
    'calendar.resultOutOfRange': '计算结果超出日历支持的范围（{min} 至 {max}）',
    'calendar.spanTooLong': '起止日期相隔不能超过 {max} 天',
    'calendar.stopInvalid': '停止计时区间“{value}”应写作 开始日期/结束日期（YYYY-MM-DD/YYYY-MM-DD），且开始不晚于结束',
    'calendar.tooManyStops': '停止计时区间不能超过 {max} 个',
    'calendar.nameRequired': '请填写名称',
    'calendar.workdayOnWeekday': '{date} 是周一至周五，本来就是工作日，不能设为调休上班日',
    'calendar.warning.noData': '{year} 年的法定节假日安排尚未录入，已按普通周末（周六、周日休息）计算，结果可能不准确',
  },
  en: {
    'calendar.dateInvalid': '"{value}" is not a calendar date in the form YYYY-MM-DD',
    'calendar.dateOutOfRange': 'Dates must lie between {min} and {max}',
    'calendar.yearOutOfRange': 'The year must lie between {min} and {max}',
    'calendar.daysOutOfRange': 'The number of working days must be a whole number between -{max} and {max}',
    'calendar.resultOutOfRange': 'The result falls outside the dates the calendar supports ({min} to {max})',
    'calendar.spanTooLong': 'The two dates may be at most {max} days apart',
    'calendar.stopInvalid': 'Clock stop "{value}" must be written start/end (YYYY-MM-DD/YYYY-MM-DD) with the start not after the end',
    'calendar.tooManyStops': 'At most {max} clock stops',
    'calendar.nameRequired': 'Enter a name',
    'calendar.workdayOnWeekday': '{date} is a Monday to Friday and a working day already: it cannot be a make-up working day',
    'calendar.warning.noData': 'The statutory holidays of {year} have not been entered: that year was computed as ordinary weeks (Saturday and Sunday off), so the result may be wrong',
  },
};
