/** The backend's real answer for tests/fixtures/eight_sjis.csv (import_inspect), for the mock harness. */
import type { ImportInspection } from '../lib/ipc';

export const EIGHT_INSPECTION: ImportInspection = {
  "fileName": "eight_sjis.csv",
  "estimatedRows": 20,
  "format": "csv",
  "preset": "eight",
  "encodingGuessed": true,
  "size": 3820,
  "headerNotes": [],
  "mapping": [
    {
      "why": "eight",
      "index": 0,
      "header": "会社名",
      "confidence": "preset",
      "field": "company_name"
    },
    {
      "why": "eight",
      "index": 1,
      "header": "部署名",
      "confidence": "preset",
      "field": "department"
    },
    {
      "why": "eight",
      "index": 2,
      "header": "役職",
      "confidence": "preset",
      "field": "title"
    },
    {
      "why": "eight",
      "index": 3,
      "header": "姓",
      "confidence": "preset",
      "field": "family_name"
    },
    {
      "why": "eight",
      "index": 4,
      "header": "名",
      "confidence": "preset",
      "field": "given_name"
    },
    {
      "why": "eight",
      "index": 5,
      "header": "姓（カナ）",
      "confidence": "preset",
      "field": "family_reading"
    },
    {
      "why": "eight",
      "index": 6,
      "header": "名（カナ）",
      "confidence": "preset",
      "field": "given_reading"
    },
    {
      "why": "eight",
      "index": 7,
      "header": "e-mail",
      "confidence": "preset",
      "field": "email"
    },
    {
      "why": "eight",
      "index": 8,
      "header": "郵便番号",
      "confidence": "preset",
      "field": "postal_code"
    },
    {
      "why": "eight",
      "index": 9,
      "header": "住所",
      "confidence": "preset",
      "field": "address"
    },
    {
      "why": "eight",
      "index": 10,
      "header": "TEL会社",
      "confidence": "preset",
      "field": "phone"
    },
    {
      "why": "phone already mapped",
      "index": 11,
      "header": "TEL部門",
      "confidence": "unmatched",
      "field": {
        "custom": "TEL部門"
      }
    },
    {
      "why": "phone already mapped",
      "index": 12,
      "header": "TEL直通",
      "confidence": "unmatched",
      "field": {
        "custom": "TEL直通"
      }
    },
    {
      "why": "eight",
      "index": 13,
      "header": "Fax",
      "confidence": "preset",
      "field": "fax"
    },
    {
      "why": "eight",
      "index": 14,
      "header": "携帯電話",
      "confidence": "preset",
      "field": "mobile"
    },
    {
      "why": "eight",
      "index": 15,
      "header": "URL",
      "confidence": "preset",
      "field": "website"
    },
    {
      "why": "eight",
      "index": 16,
      "header": "名刺交換日",
      "confidence": "preset",
      "field": "card_exchanged_on"
    }
  ],
  "presets": [
    {
      "nameEn": "Eight (card app)",
      "columns": [
        {
          "header": "会社名",
          "field": "company_name"
        },
        {
          "header": "部署名",
          "field": "department"
        },
        {
          "header": "役職",
          "field": "title"
        },
        {
          "header": "姓",
          "field": "family_name"
        },
        {
          "header": "名",
          "field": "given_name"
        },
        {
          "header": "姓（カナ）",
          "field": "family_reading"
        },
        {
          "header": "名（カナ）",
          "field": "given_reading"
        },
        {
          "header": "e-mail",
          "field": "email"
        },
        {
          "header": "郵便番号",
          "field": "postal_code"
        },
        {
          "header": "住所",
          "field": "address"
        },
        {
          "header": "TEL会社",
          "field": "phone"
        },
        {
          "header": "Fax",
          "field": "fax"
        },
        {
          "header": "携帯電話",
          "field": "mobile"
        },
        {
          "header": "URL",
          "field": "website"
        },
        {
          "header": "名刺交換日",
          "field": "card_exchanged_on"
        }
      ],
      "id": "eight",
      "nameJa": "Eight（名刺アプリ）"
    },
    {
      "nameEn": "Sansan",
      "columns": [
        {
          "header": "会社名",
          "field": "company_name"
        },
        {
          "header": "会社名（カナ）",
          "field": "company_reading"
        },
        {
          "header": "部署名",
          "field": "department"
        },
        {
          "header": "役職",
          "field": "title"
        },
        {
          "header": "姓",
          "field": "family_name"
        },
        {
          "header": "名",
          "field": "given_name"
        },
        {
          "header": "姓（カナ）",
          "field": "family_reading"
        },
        {
          "header": "名（カナ）",
          "field": "given_reading"
        },
        {
          "header": "メールアドレス",
          "field": "email"
        },
        {
          "header": "郵便番号",
          "field": "postal_code"
        },
        {
          "header": "都道府県",
          "field": "prefecture"
        },
        {
          "header": "住所1",
          "field": "address"
        },
        {
          "header": "住所2",
          "field": "address2"
        },
        {
          "header": "電話番号",
          "field": "phone"
        },
        {
          "header": "FAX",
          "field": "fax"
        },
        {
          "header": "携帯電話",
          "field": "mobile"
        },
        {
          "header": "URL",
          "field": "website"
        },
        {
          "header": "名刺交換日",
          "field": "card_exchanged_on"
        },
        {
          "header": "タグ",
          "field": "tags"
        },
        {
          "header": "メモ",
          "field": "notes"
        }
      ],
      "id": "sansan",
      "nameJa": "Sansan"
    },
    {
      "nameEn": "Generic (automatic)",
      "columns": [],
      "id": "generic",
      "nameJa": "汎用（自動判定）"
    }
  ],
  "sheets": [],
  "preview": [
    {
      "row": 2,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "03-1234-5679",
        "TEL直通": "03-1234-5601",
        "名刺交換日": "2024-04-01"
      },
      "lead": {
        "postalCode": "１００－０００５",
        "prefecture": "",
        "notes": "",
        "givenReading": "タロウ",
        "mobile": "090-1111-2222",
        "source": "import",
        "companyName": "株式会社ミライ技研",
        "tags": [],
        "companyReading": "",
        "familyReading": "タナカ",
        "givenName": "太郎",
        "title": "部長",
        "address": "東京都千代田区丸の内１－１－１ ミライタワー①号館",
        "website": "https://www.mirai-giken.co.jp",
        "email": "t.tanaka@mirai-giken.co.jp",
        "familyName": "田中",
        "department": "営業本部 第一営業部",
        "phone": "０３－１２３４－５６７８"
      }
    },
    {
      "row": 3,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "TEL部門": "03-1234-5610",
        "FAX": "03-1234-5679",
        "名刺交換日": "2024-04-01"
      },
      "lead": {
        "postalCode": "100-0005",
        "prefecture": "",
        "notes": "",
        "givenReading": "イチロウ",
        "mobile": "090-2222-3333",
        "source": "import",
        "companyName": "㈱ミライ技研",
        "tags": [],
        "companyReading": "",
        "familyReading": "タカハシ",
        "givenName": "一郎",
        "title": "課長",
        "address": "東京都千代田区丸の内1-1-1 ミライタワー②号館",
        "website": "https://www.mirai-giken.co.jp",
        "email": "i.takahashi@mirai-giken.co.jp",
        "familyName": "髙橋",
        "department": "開発部",
        "phone": "03-1234-5678"
      }
    },
    {
      "row": 4,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "06-6123-4568",
        "名刺交換日": "2024-04-15"
      },
      "lead": {
        "postalCode": "530-0001",
        "prefecture": "",
        "notes": "",
        "givenReading": "ハナコ",
        "mobile": "",
        "source": "import",
        "companyName": "(株)サクラ商事",
        "tags": [],
        "companyReading": "",
        "familyReading": "ヤマサキ",
        "givenName": "花子",
        "title": "主任",
        "address": "大阪府大阪市北区梅田1-1-1\n梅田センタービル 12F, 北側",
        "website": "https://sakura-shoji.jp",
        "email": "yamasaki@sakura-shoji.jp",
        "familyName": "山﨑",
        "department": "総務部",
        "phone": "06-6123-4567"
      }
    },
    {
      "row": 5,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "０４３－２２２－３３３４",
        "名刺交換日": "2024-05-10"
      },
      "lead": {
        "postalCode": "２６０－００１３",
        "prefecture": "",
        "notes": "",
        "givenReading": "ケン",
        "mobile": "０８０－３３３３－４４４４",
        "source": "import",
        "companyName": "有限会社齋藤工務店",
        "tags": [],
        "companyReading": "",
        "familyReading": "サイトウ",
        "givenName": "健",
        "title": "代表取締役",
        "address": "千葉県千葉市中央区中央２－３－４",
        "website": "",
        "email": "ken@saito-koumuten.jp",
        "familyName": "齋藤",
        "department": "",
        "phone": "０４３－２２２－３３３３"
      }
    },
    {
      "row": 6,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "TEL部門": "03-5555-0010",
        "TEL直通": "03-5555-0011",
        "名刺交換日": "2024-05-20"
      },
      "lead": {
        "postalCode": "150-0002",
        "prefecture": "",
        "notes": "",
        "givenReading": "ミサキ",
        "mobile": "070-5555-6666",
        "source": "import",
        "companyName": "サンプル株式会社",
        "tags": [],
        "companyReading": "",
        "familyReading": "ワタナベ",
        "givenName": "美咲",
        "title": "マネージャー",
        "address": "東京都渋谷区渋谷2-21-1",
        "website": "https://sample.co.jp",
        "email": "m.watanabe@sample.co.jp",
        "familyName": "渡邊",
        "department": "マーケティング部",
        "phone": "03-5555-0001"
      }
    },
    {
      "row": 7,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "052-111-2223",
        "名刺交換日": "2024-06-03"
      },
      "lead": {
        "postalCode": "〒460-0008",
        "prefecture": "",
        "notes": "",
        "givenReading": "マコト",
        "mobile": "",
        "source": "import",
        "companyName": "株式会社 長谷川製作所",
        "tags": [],
        "companyReading": "",
        "familyReading": "ハセガワ",
        "givenName": "誠",
        "title": "工場長",
        "address": "愛知県名古屋市中区栄3-4-5",
        "website": "",
        "email": "hasegawa@hasegawa-ss.co.jp",
        "familyName": "長谷川",
        "department": "製造部",
        "phone": "052-111-2222"
      }
    },
    {
      "row": 8,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "092-444-5556",
        "名刺交換日": "2024-06-03"
      },
      "lead": {
        "postalCode": "812-0011",
        "prefecture": "",
        "notes": "",
        "givenReading": "ユミ",
        "mobile": "",
        "source": "import",
        "companyName": "㈲ナカムラ印刷",
        "tags": [],
        "companyReading": "",
        "familyReading": "ナカムラ",
        "givenName": "由美",
        "title": "",
        "address": "福岡県福岡市博多区博多駅前1-2-3",
        "website": "",
        "email": "yumi@nakamura-print.jp",
        "familyName": "中村",
        "department": "営業部",
        "phone": "092-444-5555"
      }
    },
    {
      "row": 9,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "名刺交換日": "2024-06-10"
      },
      "lead": {
        "postalCode": "060-0001",
        "prefecture": "",
        "notes": "",
        "givenReading": "ダイスケ",
        "mobile": "090-7777-8888",
        "source": "import",
        "companyName": "合同会社ひかりラボ",
        "tags": [],
        "companyReading": "",
        "familyReading": "ササキ",
        "givenName": "大輔",
        "title": "CEO",
        "address": "北海道札幌市中央区北一条西1-1",
        "website": "https://hikari-lab.jp",
        "email": "daisuke@hikari-lab.jp",
        "familyName": "佐々木",
        "department": "",
        "phone": "011-222-3333"
      }
    },
    {
      "row": 10,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "03-3333-4445",
        "名刺交換日": "2024-06-21"
      },
      "lead": {
        "postalCode": "102-0083",
        "prefecture": "",
        "notes": "",
        "givenReading": "ナオコ",
        "mobile": "",
        "source": "import",
        "companyName": "一般社団法人日本ＩＴ推進協会",
        "tags": [],
        "companyReading": "",
        "familyReading": "イトウ",
        "givenName": "直子",
        "title": "事務局長",
        "address": "東京都千代田区麹町3-3-3",
        "website": "https://jita.or.jp",
        "email": "n.ito@jita.or.jp",
        "familyName": "伊藤",
        "department": "事務局",
        "phone": "03-3333-4444"
      }
    },
    {
      "row": 11,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "TEL直通": "0985-11-2299",
        "名刺交換日": "2024-07-01"
      },
      "lead": {
        "postalCode": "880-0001",
        "prefecture": "",
        "notes": "",
        "givenReading": "ショウ",
        "mobile": "080-1212-3434",
        "source": "import",
        "companyName": "株式会社宮﨑システム",
        "tags": [],
        "companyReading": "",
        "familyReading": "ミヤザキ",
        "givenName": "翔",
        "title": "エンジニア",
        "address": "宮崎県宮崎市橘通西1-1-1",
        "website": "",
        "email": "sho@miyazaki-sys.co.jp",
        "familyName": "宮﨑",
        "department": "システム部",
        "phone": "0985-11-2222"
      }
    },
    {
      "row": 12,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "045-222-1112",
        "名刺交換日": "2024-07-09"
      },
      "lead": {
        "postalCode": "220-0012",
        "prefecture": "",
        "notes": "",
        "givenReading": "リョウ",
        "mobile": "",
        "source": "import",
        "companyName": "日本データ株式会社",
        "tags": [],
        "companyReading": "",
        "familyReading": "タカギ",
        "givenName": "亮",
        "title": "マネージャー",
        "address": "神奈川県横浜市西区みなとみらい2-2-1",
        "website": "https://nihon-data.example",
        "email": "r.takagi@nihon-data.example",
        "familyName": "髙木",
        "department": "システム部 インフラ課",
        "phone": "045-222-1111"
      }
    },
    {
      "row": 13,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "03-1234-5679",
        "名刺交換日": "2024-07-09"
      },
      "lead": {
        "postalCode": "100-0005",
        "prefecture": "",
        "notes": "",
        "givenReading": "ユウコ",
        "mobile": "090-3434-5656",
        "source": "import",
        "companyName": "株式会社ミライ技研",
        "tags": [],
        "companyReading": "",
        "familyReading": "コバヤシ",
        "givenName": "裕子",
        "title": "本部長",
        "address": "東京都千代田区丸の内1-1-1",
        "website": "https://www.mirai-giken.co.jp",
        "email": "y.kobayashi@mirai-giken.co.jp",
        "familyName": "小林",
        "department": "営業本部",
        "phone": "03-1234-5678"
      }
    },
    {
      "row": 14,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {},
      "lead": {
        "postalCode": "730-0011",
        "prefecture": "",
        "notes": "",
        "givenReading": "ケンタ",
        "mobile": "",
        "source": "import",
        "companyName": "山本商会株式会社",
        "tags": [],
        "companyReading": "",
        "familyReading": "ヤマモト",
        "givenName": "健太",
        "title": "",
        "address": "広島県広島市中区基町1-1",
        "website": "",
        "email": "kenta@yamamoto-shokai.jp",
        "familyName": "山本",
        "department": "経理部",
        "phone": "082-111-0000"
      }
    },
    {
      "row": 15,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "022-333-4445",
        "名刺交換日": "2024-08-01"
      },
      "lead": {
        "postalCode": "９８０－０８１１",
        "prefecture": "",
        "notes": "",
        "givenReading": "リョウ",
        "mobile": "090-4545-6767",
        "source": "import",
        "companyName": "株式会社カトウ物流",
        "tags": [],
        "companyReading": "",
        "familyReading": "カトウ",
        "givenName": "亮",
        "title": "係長",
        "address": "宮城県仙台市青葉区一番町１－１－１",
        "website": "",
        "email": "ryo.kato@kato-logi.co.jp",
        "familyName": "加藤",
        "department": "物流企画部",
        "phone": "022-333-4444"
      }
    },
    {
      "row": 16,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "名刺交換日": "2024-08-20"
      },
      "lead": {
        "postalCode": "600-8216",
        "prefecture": "",
        "notes": "",
        "givenReading": "サクラ",
        "mobile": "",
        "source": "import",
        "companyName": "吉田フーズ株式会社",
        "tags": [],
        "companyReading": "",
        "familyReading": "ヨシダ",
        "givenName": "さくら",
        "title": "",
        "address": "京都府京都市下京区烏丸通七条下ル",
        "website": "https://yoshida-foods.jp",
        "email": "sakura@yoshida-foods.jp",
        "familyName": "吉田",
        "department": "商品開発部",
        "phone": "075-111-2222"
      }
    },
    {
      "row": 17,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "0263-11-2223",
        "名刺交換日": "2024-09-02"
      },
      "lead": {
        "postalCode": "390-0811",
        "prefecture": "",
        "notes": "",
        "givenReading": "ダイキ",
        "mobile": "080-5656-7878",
        "source": "import",
        "companyName": "株式会社マツモト建設",
        "tags": [],
        "companyReading": "",
        "familyReading": "マツモト",
        "givenName": "大樹",
        "title": "所長",
        "address": "長野県松本市中央1-2-3",
        "website": "",
        "email": "d.matsumoto@matsumoto-kensetsu.co.jp",
        "familyName": "松本",
        "department": "工事部",
        "phone": "0263-11-2222"
      }
    },
    {
      "row": 18,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "名刺交換日": "2024-09-02"
      },
      "lead": {
        "postalCode": "330-0063",
        "prefecture": "",
        "notes": "",
        "givenReading": "マユミ",
        "mobile": "",
        "source": "import",
        "companyName": "株式会社イノウエ",
        "tags": [],
        "companyReading": "",
        "familyReading": "イノウエ",
        "givenName": "真由美",
        "title": "部長代理",
        "address": "埼玉県さいたま市浦和区高砂1-1-1",
        "website": "",
        "email": "mayumi.inoue@inoue.example",
        "familyName": "井上",
        "department": "人事部",
        "phone": "048-111-3333"
      }
    },
    {
      "row": 19,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "FAX": "054-222-5556",
        "名刺交換日": "2024-10-11"
      },
      "lead": {
        "postalCode": "420-0853",
        "prefecture": "",
        "notes": "",
        "givenReading": "タクヤ",
        "mobile": "090-6767-8989",
        "source": "import",
        "companyName": "キムラ電機株式会社",
        "tags": [],
        "companyReading": "",
        "familyReading": "キムラ",
        "givenName": "拓也",
        "title": "",
        "address": "静岡県静岡市葵区追手町9-6",
        "website": "",
        "email": "t.kimura@kimura-denki.co.jp",
        "familyName": "木村",
        "department": "技術部",
        "phone": "054-222-5555"
      }
    },
    {
      "row": 20,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "名刺交換日": "2024-10-11"
      },
      "lead": {
        "postalCode": "",
        "prefecture": "",
        "notes": "",
        "givenReading": "ヨウコ",
        "mobile": "090-1010-2020",
        "source": "import",
        "companyName": "林デザイン事務所",
        "tags": [],
        "companyReading": "",
        "familyReading": "ハヤシ",
        "givenName": "陽子",
        "title": "代表",
        "address": "",
        "website": "https://hayashi-design.jp",
        "email": "yoko@hayashi-design.jp",
        "familyName": "林",
        "department": "",
        "phone": ""
      }
    },
    {
      "row": 21,
      "action": "create",
      "leadId": null,
      "issues": [],
      "custom": {
        "名刺交換日": "2024-11-05"
      },
      "lead": {
        "postalCode": "260-0013",
        "prefecture": "",
        "notes": "",
        "givenReading": "ヒカル",
        "mobile": "",
        "source": "import",
        "companyName": "株式会社シミズ",
        "tags": [],
        "companyReading": "",
        "familyReading": "シミズ",
        "givenName": "光",
        "title": "",
        "address": "千葉県千葉市中央区中央1-1-1",
        "website": "",
        "email": "hikaru.shimizu@shimizu.example",
        "familyName": "清水",
        "department": "営業部",
        "phone": "043-111-2222"
      }
    }
  ],
  "headers": [
    "会社名",
    "部署名",
    "役職",
    "姓",
    "名",
    "姓（カナ）",
    "名（カナ）",
    "e-mail",
    "郵便番号",
    "住所",
    "TEL会社",
    "TEL部門",
    "TEL直通",
    "Fax",
    "携帯電話",
    "URL",
    "名刺交換日"
  ],
  "encoding": "shift_jis",
  "sheet": null
};
