/**
 * Fictitious but realistic Japanese B2B data for the development harness (mock.html) and the
 * screenshots. Deterministic: lead i is always the same person. All domains are under the
 * reserved example.jp so no real company is named.
 */

import type {
  ActivityItem,
  CompanyRow,
  Lead,
  LeadDetail,
  LeadRow,
  StageChange,
} from '../lib/ipc';

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const FAMILY: [string, string, string][] = [
  ['佐藤', 'さとう', 'sato'], ['鈴木', 'すずき', 'suzuki'], ['高橋', 'たかはし', 'takahashi'],
  ['田中', 'たなか', 'tanaka'], ['伊藤', 'いとう', 'ito'], ['渡辺', 'わたなべ', 'watanabe'],
  ['山本', 'やまもと', 'yamamoto'], ['中村', 'なかむら', 'nakamura'], ['小林', 'こばやし', 'kobayashi'],
  ['加藤', 'かとう', 'kato'], ['吉田', 'よしだ', 'yoshida'], ['山田', 'やまだ', 'yamada'],
  ['佐々木', 'ささき', 'sasaki'], ['山口', 'やまぐち', 'yamaguchi'], ['松本', 'まつもと', 'matsumoto'],
  ['井上', 'いのうえ', 'inoue'], ['木村', 'きむら', 'kimura'], ['林', 'はやし', 'hayashi'],
  ['斎藤', 'さいとう', 'saito'], ['清水', 'しみず', 'shimizu'], ['山崎', 'やまざき', 'yamazaki'],
  ['森', 'もり', 'mori'], ['池田', 'いけだ', 'ikeda'], ['橋本', 'はしもと', 'hashimoto'],
  ['石川', 'いしかわ', 'ishikawa'], ['前田', 'まえだ', 'maeda'], ['藤田', 'ふじた', 'fujita'],
  ['岡田', 'おかだ', 'okada'], ['髙橋', 'たかはし', 'takahashi'], ['長谷川', 'はせがわ', 'hasegawa'],
  ['村上', 'むらかみ', 'murakami'], ['近藤', 'こんどう', 'kondo'], ['坂本', 'さかもと', 'sakamoto'],
  ['遠藤', 'えんどう', 'endo'], ['青木', 'あおき', 'aoki'], ['西村', 'にしむら', 'nishimura'],
];

const GIVEN: [string, string, string][] = [
  ['翔太', 'しょうた', 'shota'], ['大輔', 'だいすけ', 'daisuke'], ['健太', 'けんた', 'kenta'],
  ['拓也', 'たくや', 'takuya'], ['直樹', 'なおき', 'naoki'], ['誠', 'まこと', 'makoto'],
  ['隆', 'たかし', 'takashi'], ['浩二', 'こうじ', 'koji'], ['陽子', 'ようこ', 'yoko'],
  ['美穂', 'みほ', 'miho'], ['恵', 'めぐみ', 'megumi'], ['由美', 'ゆみ', 'yumi'],
  ['彩', 'あや', 'aya'], ['智子', 'ともこ', 'tomoko'], ['真由美', 'まゆみ', 'mayumi'],
  ['裕子', 'ゆうこ', 'yuko'], ['蓮', 'れん', 'ren'], ['葵', 'あおい', 'aoi'],
  ['結衣', 'ゆい', 'yui'], ['悠真', 'ゆうま', 'yuma'], ['和也', 'かずや', 'kazuya'],
  ['亮', 'りょう', 'ryo'], ['千尋', 'ちひろ', 'chihiro'], ['一郎', 'いちろう', 'ichiro'],
];

interface CompanySeed {
  name: string;
  reading: string;
  domain: string;
  industry: string;
  employeeBand: string;
  prefecture: string;
  address: string;
}

export const COMPANIES: CompanySeed[] = [
  { name: '株式会社サンプル商事', reading: 'さんぷるしょうじ', domain: 'sample-shoji.example.jp', industry: '卸売業', employeeBand: '300-999', prefecture: '東京都', address: '千代田区丸の内1-2-3 サンプルビル8階' },
  { name: '東都システム株式会社', reading: 'とうとしすてむ', domain: 'toto-sys.example.jp', industry: '情報通信業', employeeBand: '1000+', prefecture: '東京都', address: '港区芝浦3-4-5' },
  { name: 'みなと精機株式会社', reading: 'みなとせいき', domain: 'minato-seiki.example.jp', industry: '製造業', employeeBand: '100-299', prefecture: '神奈川県', address: '横浜市中区海岸通2-10' },
  { name: '株式会社北斗ソリューションズ', reading: 'ほくとそりゅーしょんず', domain: 'hokuto-sol.example.jp', industry: '情報通信業', employeeBand: '50-99', prefecture: '北海道', address: '札幌市中央区北三条西4-1' },
  { name: '青葉データ株式会社', reading: 'あおばでーた', domain: 'aoba-data.example.jp', industry: '情報通信業', employeeBand: '100-299', prefecture: '宮城県', address: '仙台市青葉区中央2-8-13' },
  { name: '株式会社ひかり物流', reading: 'ひかりぶつりゅう', domain: 'hikari-logi.example.jp', industry: '運輸業', employeeBand: '300-999', prefecture: '埼玉県', address: 'さいたま市大宮区桜木町1-7-5' },
  { name: '富士見製作所株式会社', reading: 'ふじみせいさくしょ', domain: 'fujimi-ss.example.jp', industry: '製造業', employeeBand: '1000+', prefecture: '静岡県', address: '浜松市中区板屋町111-2' },
  { name: '大和化学工業株式会社', reading: 'やまとかがくこうぎょう', domain: 'yamato-chem.example.jp', industry: '製造業', employeeBand: '300-999', prefecture: '大阪府', address: '大阪市北区梅田3-1-1' },
  { name: '株式会社ミライ建設', reading: 'みらいけんせつ', domain: 'mirai-kensetsu.example.jp', industry: '建設業', employeeBand: '100-299', prefecture: '愛知県', address: '名古屋市中村区名駅4-5-6' },
  { name: '桜ヶ丘メディカル株式会社', reading: 'さくらがおかめでぃかる', domain: 'sakuragaoka-med.example.jp', industry: '医療・福祉', employeeBand: '50-99', prefecture: '京都府', address: '京都市下京区烏丸通七条下ル' },
  { name: '株式会社コスモ不動産', reading: 'こすもふどうさん', domain: 'cosmo-re.example.jp', industry: '不動産業', employeeBand: '10-49', prefecture: '福岡県', address: '福岡市博多区博多駅前2-1-1' },
  { name: '株式会社さくらフーズ', reading: 'さくらふーず', domain: 'sakura-foods.example.jp', industry: '小売業', employeeBand: '300-999', prefecture: '兵庫県', address: '神戸市中央区三宮町1-9-1' },
  { name: '有限会社山中印刷', reading: 'やまなかいんさつ', domain: 'yamanaka-p.example.jp', industry: '製造業', employeeBand: '10-49', prefecture: '広島県', address: '広島市中区紙屋町2-2-2' },
  { name: '株式会社エムズ・コンサルティング', reading: 'えむずこんさるてぃんぐ', domain: 'ms-consulting.example.jp', industry: 'サービス業', employeeBand: '10-49', prefecture: '東京都', address: '渋谷区道玄坂1-12-1' },
  { name: '株式会社東海マテリアル', reading: 'とうかいまてりある', domain: 'tokai-mat.example.jp', industry: '卸売業', employeeBand: '100-299', prefecture: '愛知県', address: '豊田市元城町3-17' },
  { name: '合同会社ネクサスラボ', reading: 'ねくさすらぼ', domain: 'nexus-lab.example.jp', industry: '情報通信業', employeeBand: '1-9', prefecture: '東京都', address: '目黒区上目黒2-1-1' },
  { name: '千代田ファイナンス株式会社', reading: 'ちよだふぁいなんす', domain: 'chiyoda-fin.example.jp', industry: '金融業', employeeBand: '1000+', prefecture: '東京都', address: '中央区日本橋2-7-1' },
  { name: '株式会社グリーンリーフ', reading: 'ぐりーんりーふ', domain: 'greenleaf.example.jp', industry: 'サービス業', employeeBand: '50-99', prefecture: '神奈川県', address: '川崎市幸区堀川町580' },
];

const DEPARTMENTS = ['営業部', 'マーケティング部', '情報システム部', '経営企画室', '総務部', '製造部', '購買部', '人事部', '開発本部', 'カスタマーサクセス部', 'DX推進室', '営業企画部'];
const TITLES = ['部長', '課長', '係長', '主任', 'マネージャー', '取締役', '担当', 'リーダー', '室長', '', '', ''];
const STAGES = ['subscriber', 'lead', 'lead', 'lead', 'mql', 'mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'recycled', 'disqualified'];
const SOURCES = ['trade_show', 'card_exchange', 'web_form', 'seminar', 'webinar', 'web', 'referral', 'import'];
const TAGS = ['DX推進EXPO2026', '決裁者', '予算あり', '要フォロー', '既存顧客', '競合利用中', '資料送付済', 'セミナー常連'];
const EVENTS = ['DX推進EXPO 2026 秋', 'マーケティングWeek 東京', '製造業DXセミナー', 'MAツール活用ウェビナー', '名古屋ビジネスフェア'];
const ACTIVITY_KINDS = [
  'booth_visit', 'card_exchange', 'document_request', 'seminar_registered', 'seminar_attended',
  'webinar_registered', 'webinar_attended', 'email_sent', 'email_opened', 'email_clicked',
  'page_view', 'page_view', 'email_opened', 'call', 'meeting', 'note',
];
const PAGES = ['/pricing', '/case-studies/manufacturing', '/features/segments', '/download/whitepaper-dx', '/contact'];

const BASE = Date.UTC(2026, 10, 22, 9, 0, 0);
const DAY = 86_400_000;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface MockLead {
  detail: LeadDetail;
  row: LeadRow;
}

export function companyRow(index: number, leadCount: number): CompanyRow {
  const seed = COMPANIES[index % COMPANIES.length] as CompanySeed;
  return {
    id: index + 1,
    name: seed.name,
    reading: seed.reading,
    domain: seed.domain,
    industry: seed.industry,
    employeeBand: seed.employeeBand,
    prefecture: seed.prefecture,
    leadCount,
  };
}

function activities(random: () => number, count: number, createdMs: number, event: string): ActivityItem[] {
  const items: ActivityItem[] = [];
  let at = BASE - Math.floor(random() * 3) * DAY;
  for (let i = 0; i < count; i++) {
    const kind = i === count - 1 ? 'booth_visit' : pick(random, ACTIVITY_KINDS);
    at -= Math.floor(random() * 6 * DAY) + 3_600_000;
    if (at < createdMs) at = createdMs + (count - i) * 60_000;
    const detail =
      kind === 'page_view'
        ? pick(random, PAGES)
        : kind === 'email_opened' || kind === 'email_clicked' || kind === 'email_sent'
          ? '【ご案内】製造業のためのリード育成ガイド'
          : kind === 'call'
            ? '導入時期は来期4月の見込み。再度連絡予定。'
            : kind === 'meeting'
              ? 'オンライン面談（45分）。要件をヒアリング。'
              : kind === 'note'
                ? '展示会で名刺交換。MA導入を検討中とのこと。'
                : '';
    const withEvent = ['booth_visit', 'card_exchange', 'seminar_registered', 'seminar_attended', 'webinar_registered', 'webinar_attended'].includes(kind);
    items.push({ id: i + 1, kind, kindLabel: kind, occurredAt: iso(at), detail, eventName: withEvent ? event : null });
  }
  return items;
}

/** The lead with id `id` (1-based), and the row the list shows for it. */
export function mockLead(id: number, companyCount = COMPANIES.length): MockLead {
  const random = rng(id * 7919);
  const [family, familyReading, familyRomaji] = pick(random, FAMILY);
  const [given, givenReading, givenRomaji] = pick(random, GIVEN);
  const companyIndex = Math.floor(random() * companyCount);
  const company = companyRow(companyIndex, 0);
  const department = pick(random, DEPARTMENTS);
  const title = pick(random, TITLES);
  const stage = pick(random, STAGES);
  const createdMs = BASE - Math.floor(random() * 400) * DAY - Math.floor(random() * DAY);
  const updatedMs = createdMs + Math.floor(random() * (BASE - createdMs));
  const event = pick(random, EVENTS);
  const source = pick(random, SOURCES);
  const hasPhone = random() > 0.15;
  const phone = hasPhone
    ? `0${pick(random, ['3', '6', '45', '52', '92', '11'])}-${1000 + Math.floor(random() * 9000)}-${1000 + Math.floor(random() * 9000)}`
    : '';
  const mobile = random() > 0.5 ? `090-${1000 + Math.floor(random() * 9000)}-${1000 + Math.floor(random() * 9000)}` : '';
  const engagement = Math.round(random() * 120);
  const fit = Math.round(random() * 60);
  const grade = engagement + fit > 120 ? 'A' : engagement + fit > 80 ? 'B' : engagement + fit > 40 ? 'C' : 'D';
  const email = `${familyRomaji}.${givenRomaji[0]}@${company.domain}`;
  const activityCount = 2 + Math.floor(random() * 14) + (id % 97 === 0 ? 240 : 0);
  const list = activities(random, Math.min(activityCount, 200), createdMs, event);
  const tagCount = Math.floor(random() * 3);
  const tags = Array.from(new Set(Array.from({ length: tagCount }, () => pick(random, TAGS))));
  const history: StageChange[] = [
    { fromStage: null, toStage: 'lead', changedAt: iso(createdMs), actor: 'インポート', reason: `${event} 来場者リスト`, note: '', automatic: false },
  ];
  if (stage !== 'lead' && stage !== 'subscriber') {
    history.unshift({
      fromStage: 'lead',
      toStage: stage,
      changedAt: iso(updatedMs),
      actor: '鈴木 一郎',
      reason: stage === 'mql' ? 'スコアが閾値（80点）を超えました' : '',
      note: '',
      automatic: stage === 'mql',
    });
  }
  const seed = COMPANIES[companyIndex % COMPANIES.length] as CompanySeed;
  const lead: Lead = {
    id,
    familyName: family,
    givenName: given,
    familyReading,
    givenReading,
    companyId: company.id,
    companyName: company.name,
    companyReading: company.reading,
    department,
    title,
    email,
    phone,
    mobile,
    postalCode: `${100 + Math.floor(random() * 800)}${1000 + Math.floor(random() * 9000)}`,
    prefecture: seed.prefecture,
    address: seed.address,
    website: `https://${company.domain}/`,
    notes: random() > 0.7 ? '展示会ブースでデモを見て、セグメント機能に関心あり。\n次回は情報システム部の方も同席予定。' : '',
    source,
    owner: random() > 0.4 ? '鈴木 一郎' : '',
    lifecycleStage: stage,
    consentState: random() > 0.92 ? 'opted_out' : random() > 0.3 ? 'opted_in' : 'unknown',
    engagementScore: engagement,
    fitScore: fit,
    grade,
    firstEventName: event,
    createdAt: iso(createdMs),
    updatedAt: iso(updatedMs),
  };
  const detail: LeadDetail = {
    lead,
    tags,
    customFields: random() > 0.6 ? [{ name: 'booth_no', label: '来場ブース', value: `A-${1 + Math.floor(random() * 40)}` }] : [],
    activities: list,
    activityCount,
    stageHistory: history,
    qualification: { budget: '', authority: '', need: '', timeline: '', challenges: '', champAuthority: '', money: '', prioritisation: '' },
  };
  return { detail, row: rowOf(lead) };
}

export function rowOf(lead: Lead): LeadRow {
  return {
    id: lead.id,
    familyName: lead.familyName,
    givenName: lead.givenName,
    familyReading: lead.familyReading,
    givenReading: lead.givenReading,
    companyId: lead.companyId,
    companyName: lead.companyName,
    department: lead.department,
    title: lead.title,
    email: lead.email,
    phone: lead.phone || lead.mobile,
    prefecture: lead.prefecture,
    lifecycleStage: lead.lifecycleStage,
    engagementScore: lead.engagementScore,
    fitScore: lead.fitScore,
    grade: lead.grade,
    createdAt: lead.createdAt,
    updatedAt: lead.updatedAt,
  };
}

export { iso, BASE };
