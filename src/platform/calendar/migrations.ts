import { sql, type Kysely, type Migration } from 'kysely';

type Range = [first: string, last: string, name: string];

export interface YearArrangement {
  year: number;
  source: string;
  holidays: Range[];
  workdays: Array<[date: string, name: string]>;
}

// The State Council General Office's notices, as published. Kept inline so this migration
// inserts the same rows forever, whatever the code around it becomes.
export const OFFICIAL_ARRANGEMENTS: readonly YearArrangement[] = [
  {
    year: 2025,
    source: '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）',
    holidays: [
      ['2025-01-01', '2025-01-01', '元旦'],
      ['2025-01-28', '2025-02-04', '春节'],
      ['2025-04-04', '2025-04-06', '清明节'],
      ['2025-05-01', '2025-05-05', '劳动节'],
      ['2025-05-31', '2025-06-02', '端午节'],
      ['2025-10-01', '2025-10-08', '国庆节、中秋节'],
    ],
    workdays: [
      ['2025-01-26', '春节调休上班'],
      ['2025-02-08', '春节调休上班'],
      ['2025-04-27', '劳动节调休上班'],
      ['2025-09-28', '国庆节、中秋节调休上班'],
      ['2025-10-11', '国庆节、中秋节调休上班'],
    ],
  },
  {
    year: 2026,
    source: '国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）',
    holidays: [
      ['2026-01-01', '2026-01-03', '元旦'],
      ['2026-02-15', '2026-02-23', '春节'],
      ['2026-04-04', '2026-04-06', '清明节'],
      ['2026-05-01', '2026-05-05', '劳动节'],
      ['2026-06-19', '2026-06-21', '端午节'],
      ['2026-09-25', '2026-09-27', '中秋节'],
      ['2026-10-01', '2026-10-07', '国庆节'],
    ],
    workdays: [
      ['2026-01-04', '元旦调休上班'],
      ['2026-02-14', '春节调休上班'],
      ['2026-02-28', '春节调休上班'],
      ['2026-05-09', '劳动节调休上班'],
      ['2026-09-20', '国庆节调休上班'],
      ['2026-10-10', '国庆节调休上班'],
    ],
  },
];

function datesBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(`${first}T00:00:00Z`); ms <= Date.parse(`${last}T00:00:00Z`); ms += 86_400_000) {
    out.push(new Date(ms).toISOString().slice(0, 10));
  }
  return out;
}

/** The rows of one year's arrangement: every holiday of each range, then the make-up working days. */
export function arrangementDays(arrangement: YearArrangement): Array<{ date: string; kind: 'holiday' | 'workday'; name: string }> {
  return [
    ...arrangement.holidays.flatMap(([first, last, name]) => datesBetween(first, last).map((date) => ({ date, kind: 'holiday' as const, name }))),
    ...arrangement.workdays.map(([date, name]) => ({ date, kind: 'workday' as const, name })),
  ];
}

export const calendarMigrations: Record<string, Migration> = {
  '20261101_0400_calendar_days': {
    async up(db: Kysely<any>) {
      await sql`
        create table calendar_days (
          date date primary key,
          kind text not null check (kind in ('holiday', 'workday')),
          name text not null check (length(name) between 1 and 50),
          updated_at timestamptz not null default now()
        )`.execute(db);
      // A year listed here has its official arrangement entered; any other year is computed
      // as ordinary weeks, with a warning.
      await sql`
        create table calendar_years (
          year integer primary key check (year between 2000 and 2099),
          source text not null check (length(source) between 1 and 200),
          updated_at timestamptz not null default now()
        )`.execute(db);
      for (const arrangement of OFFICIAL_ARRANGEMENTS) {
        await db.insertInto('calendar_days').values(arrangementDays(arrangement)).execute();
        await db.insertInto('calendar_years').values({ year: arrangement.year, source: arrangement.source }).execute();
      }
    },
  },
};
