/**
 * Large libraries that most processes never need (Excel workbooks, charts, S3, SMTP) are loaded
 * on their first use, so a server starts fast and stays small until a request needs one.
 */
import type ExcelJSNamespace from 'exceljs';

/** Calls `load` once, on the first call, and hands every caller the same promise. */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | null = null;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = null; // a failed load (a file busy, say) is tried again next time
      throw error;
    });
    return loaded;
  };
}

/** A CommonJS package's namespace, whether the loader put it under `default` or not. */
const defaultOf = <T>(module: unknown): T => ((module as { default?: T }).default ?? module) as T;

export type ExcelJS = typeof ExcelJSNamespace;
export const loadExcel = onFirstUse(async () => defaultOf<ExcelJS>(await import('exceljs')));
export const loadEcharts = onFirstUse(() => import('echarts'));
export const loadS3 = onFirstUse(() => import('@aws-sdk/client-s3'));
export const loadNodemailer = onFirstUse(async () => defaultOf<typeof import('nodemailer')>(await import('nodemailer')));
