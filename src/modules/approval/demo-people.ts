/**
 * The people of the demo city's past cases: applicants with valid (fictional) identity numbers and
 * credit codes, and the demo citizen's and company's public accounts.
 */
import { companyCreditCode, personId, type DemoApplicant } from '../../platform/demo/city.ts';

export { DEMO_PUBLIC_ACCOUNTS, type DemoApplicant } from '../../platform/demo/city.ts';

/** A seeded random in [0, 1): the same seed gives the same demo city. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程';
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '华', '平', '思远', '雨桐', '子涵', '浩然', '欣怡', '建国', '海燕', '晓东', '文博', '佳琪'];
const COMPANY_WORDS = ['青禾', '云岭', '溪口', '丰泽', '松林', '白鹭', '龙潭', '桃源', '枫林', '茶坪', '石桥', '禾丰', '南门', '文庙', '上塘'];
const COMPANY_TRADES = ['食品有限公司', '餐饮管理有限公司', '建筑工程有限公司', '商贸有限公司', '农业发展有限公司', '文化传媒有限公司', '物流有限公司', '医疗器械有限公司', '酒店管理有限公司', '科技有限公司'];
export function demoApplicant(n: number, kind: 'person' | 'enterprise'): DemoApplicant {
  const phone = `139${String(57_000_000 + n * 37).padStart(8, '0')}`;
  if (kind === 'person') return { kind, name: SURNAMES[n % SURNAMES.length] + GIVEN[(n * 7) % GIVEN.length], id: personId(n), phone };
  return { kind, name: `云川市${COMPANY_WORDS[n % COMPANY_WORDS.length]}${COMPANY_TRADES[(n * 3) % COMPANY_TRADES.length]}`, id: companyCreditCode(n), phone };
}
