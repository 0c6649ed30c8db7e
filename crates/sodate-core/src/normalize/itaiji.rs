//! Itaiji (異体字): variant kanji folded to one common form, so that 髙橋 and 高橋, or
//! 山﨑 and 山崎, give the same key.
//!
//! Only variants that Japanese speakers widely treat as *the same character in a different
//! glyph* are folded (old/new forms such as 澤/沢, 邊/辺, and the name variants 髙/高,
//! 﨑/崎, 𠮷/吉). Distinct characters that are merely confusable (斉/斎, 園/薗, 篭/籠, 晃/晄)
//! are deliberately *not* folded: they are different surnames.

use unicode_normalization::char::decompose_canonical;

/// `(variant, common form)`, sorted by the variant's code point (checked by a test).
/// No common form is itself a variant, so folding is idempotent (also checked by a test).
pub(crate) static ITAIJI: &[(char, char)] = &[
    ('乘', '乗'), // U+4E58 → U+4E57
    ('亙', '亘'), // U+4E99 → U+4E98
    ('亞', '亜'), // U+4E9E → U+4E9C
    ('佛', '仏'), // U+4F5B → U+4ECF
    ('來', '来'), // U+4F86 → U+6765
    ('傳', '伝'), // U+50B3 → U+4F1D
    ('兒', '児'), // U+5152 → U+5150
    ('內', '内'), // U+5167 → U+5185
    ('冨', '富'), // U+51A8 → U+5BCC
    ('凜', '凛'), // U+51DC → U+51DB
    ('剱', '剣'), // U+5271 → U+5263
    ('劍', '剣'), // U+528D → U+5263
    ('劒', '剣'), // U+5292 → U+5263
    ('吳', '呉'), // U+5433 → U+5449
    ('國', '国'), // U+570B → U+56FD
    ('圓', '円'), // U+5713 → U+5186
    ('團', '団'), // U+5718 → U+56E3
    ('埜', '野'), // U+57DC → U+91CE
    ('堯', '尭'), // U+582F → U+5C2D
    ('增', '増'), // U+589E → U+5897
    ('壯', '壮'), // U+58EF → U+58EE
    ('壽', '寿'), // U+58FD → U+5BFF
    ('學', '学'), // U+5B78 → U+5B66
    ('實', '実'), // U+5BE6 → U+5B9F
    ('寬', '寛'), // U+5BEC → U+5BDB
    ('將', '将'), // U+5C07 → U+5C06
    ('峯', '峰'), // U+5CEF → U+5CF0
    ('嵜', '崎'), // U+5D5C → U+5D0E
    ('嶋', '島'), // U+5D8B → U+5CF6
    ('嶌', '島'), // U+5D8C → U+5CF6
    ('嶽', '岳'), // U+5DBD → U+5CB3
    ('巖', '巌'), // U+5DD6 → U+5DCC
    ('廣', '広'), // U+5EE3 → U+5E83
    ('廳', '庁'), // U+5EF3 → U+5E81
    ('廸', '迪'), // U+5EF8 → U+8FEA
    ('彌', '弥'), // U+5F4C → U+5F25
    ('彥', '彦'), // U+5F65 → U+5F66
    ('德', '徳'), // U+5FB7 → U+5FB3
    ('恆', '恒'), // U+6046 → U+6052
    ('惠', '恵'), // U+60E0 → U+6075
    ('應', '応'), // U+61C9 → U+5FDC
    ('戶', '戸'), // U+6236 → U+6238
    ('敎', '教'), // U+654E → U+6559
    ('晉', '晋'), // U+6649 → U+664B
    ('曉', '暁'), // U+66C9 → U+6681
    ('曻', '昇'), // U+66FB → U+6607
    ('曾', '曽'), // U+66FE → U+66FD
    ('會', '会'), // U+6703 → U+4F1A
    ('栁', '柳'), // U+6801 → U+67F3
    ('桒', '桑'), // U+6852 → U+6851
    ('條', '条'), // U+689D → U+6761
    ('榮', '栄'), // U+69AE → U+6804
    ('槇', '槙'), // U+69C7 → U+69D9
    ('檜', '桧'), // U+6A9C → U+6867
    ('櫻', '桜'), // U+6AFB → U+685C
    ('淸', '清'), // U+6DF8 → U+6E05
    ('淺', '浅'), // U+6DFA → U+6D45
    ('渕', '淵'), // U+6E15 → U+6DF5
    ('滿', '満'), // U+6EFF → U+6E80
    ('澀', '渋'), // U+6F80 → U+6E0B
    ('澁', '渋'), // U+6F81 → U+6E0B
    ('澤', '沢'), // U+6FA4 → U+6CA2
    ('濟', '済'), // U+6FDF → U+6E08
    ('濱', '浜'), // U+6FF1 → U+6D5C
    ('濵', '浜'), // U+6FF5 → U+6D5C
    ('瀧', '滝'), // U+7027 → U+6EDD
    ('瀨', '瀬'), // U+7028 → U+702C
    ('瑤', '瑶'), // U+7464 → U+7476
    ('產', '産'), // U+7522 → U+7523
    ('眞', '真'), // U+771E → U+771F
    ('碕', '崎'), // U+7895 → U+5D0E
    ('祿', '禄'), // U+797F → U+7984
    ('禮', '礼'), // U+79AE → U+793C
    ('禰', '祢'), // U+79B0 → U+7962
    ('稻', '稲'), // U+7A3B → U+7A32
    ('穗', '穂'), // U+7A57 → U+7A42
    ('綠', '緑'), // U+7DA0 → U+7DD1
    ('縣', '県'), // U+7E23 → U+770C
    ('聰', '聡'), // U+8070 → U+8061
    ('與', '与'), // U+8207 → U+4E0E
    ('舘', '館'), // U+8218 → U+9928
    ('舩', '船'), // U+8229 → U+8239
    ('莊', '荘'), // U+838A → U+8358
    ('萠', '萌'), // U+8420 → U+840C
    ('萬', '万'), // U+842C → U+4E07
    ('藏', '蔵'), // U+85CF → U+8535
    ('藝', '芸'), // U+85DD → U+82B8
    ('蘆', '芦'), // U+8606 → U+82A6
    ('螢', '蛍'), // U+87A2 → U+86CD
    ('豐', '豊'), // U+8C50 → U+8C4A
    ('遙', '遥'), // U+9059 → U+9065
    ('邉', '辺'), // U+9089 → U+8FBA
    ('邊', '辺'), // U+908A → U+8FBA
    ('邨', '村'), // U+90A8 → U+6751
    ('鄉', '郷'), // U+9109 → U+90F7
    ('鄕', '郷'), // U+9115 → U+90F7
    ('醫', '医'), // U+91AB → U+533B
    ('鐡', '鉄'), // U+9421 → U+9244
    ('鐵', '鉄'), // U+9435 → U+9244
    ('關', '関'), // U+95DC → U+95A2
    ('靑', '青'), // U+9751 → U+9752
    ('靜', '静'), // U+975C → U+9759
    ('顯', '顕'), // U+986F → U+9855
    ('驒', '騨'), // U+9A52 → U+9A28
    ('驛', '駅'), // U+9A5B → U+99C5
    ('髙', '高'), // U+9AD9 → U+9AD8
    ('鷗', '鴎'), // U+9DD7 → U+9D0E
    ('黃', '黄'), // U+9EC3 → U+9EC4
    ('黑', '黒'), // U+9ED1 → U+9ED2
    ('齊', '斉'), // U+9F4A → U+6589
    ('齋', '斎'), // U+9F4B → U+658E
    ('齌', '斎'), // U+9F4C → U+658E
    ('龍', '竜'), // U+9F8D → U+7ADC
    ('龜', '亀'), // U+9F9C → U+4E80
    ('﨑', '崎'), // U+FA11 → U+5D0E
    ('𠮷', '吉'), // U+20BB7 → U+5409
];

/// Lowest variant code point in [`ITAIJI`]: everything below is returned unchanged without a
/// table search (all ASCII, kana and most punctuation).
const FIRST_VARIANT: char = '乘';

/// Folds one character to its common form; characters without a variant are returned as is.
#[inline]
pub(crate) fn fold_char(c: char) -> char {
    if c < FIRST_VARIANT {
        return c;
    }
    match ITAIJI.binary_search_by(|&(variant, _)| variant.cmp(&c)) {
        Ok(i) => ITAIJI.get(i).map_or(c, |&(_, common)| common),
        Err(_) => c,
    }
}

/// True for ideographic variation selectors and standardised variation selectors: they pick
/// a glyph (e.g. 葛󠄀 vs 葛) and never change which character is meant.
#[inline]
pub(crate) fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// True for the CJK compatibility ideograph blocks, whose members (except a dozen such as
/// 﨑) canonically decompose to a unified ideograph.
#[inline]
fn is_compat_ideograph(c: char) -> bool {
    matches!(c, '\u{F900}'..='\u{FAFF}' | '\u{2F800}'..='\u{2FA1F}')
}

/// Folds variant kanji (異体字) to their common form: 髙→高, 﨑/嵜/碕→崎, 齊→斉, 齋→斎,
/// 邊/邉→辺, 澤→沢, 濱/濵→浜, 槇→槙, 德→徳, 廣→広, 國→国, 櫻→桜, 嶋/嶌→島, 峯→峰, 冨→富,
/// 龍→竜, 瀨→瀬, 惠→恵, 眞→真, 條→条, 與→与, 藏→蔵, 舘→館, 𠮷→吉 and about 85 more
/// old/new-form pairs.
///
/// Also drops variation selectors (they only choose a glyph) and maps CJK compatibility
/// ideographs to their unified character, so the function is useful without a prior NFKC;
/// everything else is returned unchanged. Idempotent.
pub fn fold_itaiji(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_variation_selector(c) {
            continue;
        }
        if is_compat_ideograph(c) {
            decompose_canonical(c, |d| out.push(fold_char(d)));
        } else {
            out.push(fold_char(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn table_is_sorted_unique_and_idempotent() {
        for w in ITAIJI.windows(2) {
            assert!(w[0].0 < w[1].0, "table not sorted at {:?}", w);
        }
        for &(variant, common) in ITAIJI {
            assert_ne!(variant, common);
            assert_eq!(fold_char(common), common, "{common} is itself a variant");
            assert_eq!(fold_char(variant), common);
        }
        assert_eq!(ITAIJI.first().map(|p| p.0), Some(FIRST_VARIANT));
        assert!(ITAIJI.len() >= 60);
    }

    #[test]
    fn table_entries_survive_nfkc() {
        // Keys apply NFKC before folding: a variant that NFKC rewrites would never be seen,
        // and a common form that NFKC rewrites would break idempotence.
        for &(variant, common) in ITAIJI {
            for c in [variant, common] {
                let n: String = c.to_string().nfkc().collect();
                assert_eq!(n, c.to_string(), "U+{:04X} is not NFKC-stable", c as u32);
            }
        }
    }

    #[test]
    fn brief_pairs() {
        let pairs = [
            ("髙", "高"),
            ("﨑", "崎"),
            ("碕", "崎"),
            ("嵜", "崎"),
            ("齊", "斉"),
            ("齋", "斎"),
            ("邊", "辺"),
            ("邉", "辺"),
            ("澤", "沢"),
            ("濱", "浜"),
            ("槇", "槙"),
            ("德", "徳"),
            ("廣", "広"),
            ("國", "国"),
            ("櫻", "桜"),
            ("嶋", "島"),
            ("峯", "峰"),
            ("冨", "富"),
            ("龍", "竜"),
            ("瀨", "瀬"),
            ("惠", "恵"),
            ("眞", "真"),
            ("條", "条"),
            ("與", "与"),
            ("藏", "蔵"),
            ("舘", "館"),
            ("𠮷", "吉"),
        ];
        for (v, c) in pairs {
            assert_eq!(fold_itaiji(v), c, "{v}");
        }
    }

    #[test]
    fn words_and_untouched_text() {
        assert_eq!(fold_itaiji("髙橋"), "高橋");
        assert_eq!(fold_itaiji("渡邊 惠子"), "渡辺 恵子");
        assert_eq!(fold_itaiji("山﨑"), "山崎");
        assert_eq!(fold_itaiji("𠮷野家"), "吉野家");
        assert_eq!(fold_itaiji("Tanaka 123"), "Tanaka 123");
        assert_eq!(fold_itaiji("たなか カタカナ"), "たなか カタカナ");
        assert_eq!(fold_itaiji(""), "");
        // Not folded: distinct surnames.
        assert_eq!(fold_itaiji("斎藤 斉藤 園田 薗田"), "斎藤 斉藤 園田 薗田");
    }

    #[test]
    fn variation_selectors_and_compat_ideographs() {
        assert_eq!(fold_itaiji("葛\u{E0100}飾"), "葛飾");
        assert_eq!(fold_itaiji("辻\u{E0101}"), "辻");
        assert_eq!(fold_itaiji("邉\u{E0102}"), "辺");
        // U+FA10 (compatibility 塚) decomposes to U+585A.
        assert_eq!(fold_itaiji("\u{FA10}本"), "\u{585A}本");
        // U+FA11 﨑 has no decomposition: the table handles it.
        assert_eq!(fold_itaiji("\u{FA11}"), "崎");
    }

    #[test]
    fn idempotent_on_table() {
        let all: String = ITAIJI.iter().flat_map(|&(a, b)| [a, b]).collect();
        let once = fold_itaiji(&all);
        assert_eq!(fold_itaiji(&once), once);
    }
}
