//! Company keys: the name with its corporate form (株式会社, (株), Co., Ltd. …) removed.

use std::sync::OnceLock;

use super::chars::{
    is_close_bracket, is_name_punct, is_open_bracket, is_space_or_ignorable, push_lower,
};
use super::itaiji::fold_char;
use super::keys::{for_each_nfkc, stabilize, NAME};

/// Spelled-out Japanese forms, removed in prefix or suffix position. Written as they look
/// after NFKC, lowercase and itaiji fold (so 株式會社 and ＮＰＯ法人 match too).
const LONG_FORMS: &[&str] = &[
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "相互会社",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "社団法人",
    "財団法人",
    "特定非営利活動法人",
    "npo法人",
    "学校法人",
    "医療法人社団",
    "医療法人財団",
    "医療法人",
    "社会福祉法人",
    "独立行政法人",
    "地方独立行政法人",
    "国立大学法人",
    "宗教法人",
];

/// Abbreviations removed only when bracketed, in prefix or suffix position: (株) ㈱ （株）
/// 【株】, (有) ㈲, (同), (資) ㈾, (名) ㈴, (一社), (一財), (公社), (公財), (社) ㈳,
/// (財) ㈶, (医), (学) ㈻, (福), (特非), (独).
const PAREN_FORMS: &[&str] = &[
    "株", "有", "同", "資", "名", "一社", "一財", "公社", "公財", "社", "財", "医", "学", "福",
    "特非", "独",
];

/// Romanised forms, removed only at the end and only as whole words (case-insensitive;
/// the words may be separated by spaces or punctuation: "Co., Ltd.", "Co.,Ltd", "co ltd").
const ROMAN_FORMS: &[&[&str]] = &[
    &["co", "ltd"],
    &["co", "limited"],
    &["company", "limited"],
    &["ltd"],
    &["limited"],
    &["inc"],
    &["incorporated"],
    &["k", "k"],
    &["kk"],
    &["corporation"],
    &["corp"],
    &["llc"],
    &["l", "l", "c"],
    &["g", "k"],
    &["gk"],
    &["kabushiki", "kaisha"],
    &["godo", "kaisha"],
    &["yugen", "kaisha"],
    &["plc"],
    &["gmbh"],
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Long,
    Paren,
    Roman,
}

struct Form {
    kind: Kind,
    chars: Vec<char>,
    /// Roman forms: offsets inside `chars` where a word boundary is required.
    inner_breaks: Vec<usize>,
}

/// The forms, indexed by their first character (for prefix matches) and their last
/// character (for suffix matches), so that a name is compared only with the few forms that
/// can match at all.
struct Forms {
    forms: Vec<Form>,
    /// `(first char, index)` of the forms allowed in prefix position, sorted.
    by_first: Vec<(char, usize)>,
    /// `(last char, index)` of all forms, sorted.
    by_last: Vec<(char, usize)>,
}

impl Forms {
    fn build() -> Forms {
        let mut forms = Vec::new();
        for (list, kind) in [(LONG_FORMS, Kind::Long), (PAREN_FORMS, Kind::Paren)] {
            for f in list {
                forms.push(Form {
                    kind,
                    chars: f.chars().collect(),
                    inner_breaks: Vec::new(),
                });
            }
        }
        for words in ROMAN_FORMS {
            let mut chars = Vec::new();
            let mut inner_breaks = Vec::new();
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    inner_breaks.push(chars.len());
                }
                chars.extend(w.chars());
            }
            forms.push(Form {
                kind: Kind::Roman,
                chars,
                inner_breaks,
            });
        }
        let mut by_first = Vec::new();
        let mut by_last = Vec::new();
        for (i, f) in forms.iter().enumerate() {
            if let (Some(&first), Some(&last)) = (f.chars.first(), f.chars.last()) {
                if f.kind != Kind::Roman {
                    by_first.push((first, i));
                }
                by_last.push((last, i));
            }
        }
        by_first.sort_unstable();
        by_last.sort_unstable();
        Forms {
            forms,
            by_first,
            by_last,
        }
    }

    fn get() -> &'static Forms {
        static FORMS: OnceLock<Forms> = OnceLock::new();
        FORMS.get_or_init(Forms::build)
    }

    /// The forms whose edge character (first or last, per `index`) is `c`.
    fn candidates<'a>(
        &'a self,
        index: &'a [(char, usize)],
        c: char,
    ) -> impl Iterator<Item = &'a Form> {
        let from = index.partition_point(|&(k, _)| k < c);
        index
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(move |&&(k, _)| k == c)
            .filter_map(|&(_, i)| self.forms.get(i))
    }
}

/// What was dropped between two kept characters.
#[derive(Clone, Copy, Default)]
struct Gap {
    /// Anything (space, punctuation, control) was dropped here: a word boundary.
    any: bool,
    open: bool,
    close: bool,
}

/// The name-key characters of `s` (NFKC, fold, lowercase, punctuation and spaces dropped),
/// with `gaps[i]` describing what was dropped before `sig[i]` (`gaps[sig.len()]`: after
/// the last one).
fn signature(s: &str) -> (Vec<char>, Vec<Gap>) {
    let mut sig = Vec::with_capacity(s.len());
    let mut gaps = Vec::with_capacity(s.len() + 1);
    let mut cur = Gap::default();
    let mut buf = String::new();
    let mut push = |sig: &mut Vec<char>, cur: &mut Gap, c: char| {
        gaps.push(*cur);
        *cur = Gap::default();
        sig.push(c);
    };
    for_each_nfkc(s, |c| {
        if c.is_ascii_alphanumeric() {
            push(&mut sig, &mut cur, c.to_ascii_lowercase());
        } else if ('\u{3041}'..='\u{30FA}').contains(&c) || ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            push(&mut sig, &mut cur, fold_char(c));
        } else if is_space_or_ignorable(c) || is_name_punct(c) {
            cur.any = true;
            cur.open |= is_open_bracket(c);
            cur.close |= is_close_bracket(c);
        } else {
            buf.clear();
            push_lower(&mut buf, fold_char(c));
            for l in buf.chars() {
                push(&mut sig, &mut cur, l);
            }
        }
    });
    gaps.push(cur);
    (sig, gaps)
}

fn gap(gaps: &[Gap], i: usize) -> Gap {
    gaps.get(i).copied().unwrap_or_default()
}

/// Whether `form` matches at the start (`at_start`) or the end of `sig[lo..hi]`.
fn matches(sig: &[char], gaps: &[Gap], lo: usize, hi: usize, form: &Form, at_start: bool) -> bool {
    let n = form.chars.len();
    if n == 0 || hi.saturating_sub(lo) < n {
        return false;
    }
    let st = if at_start { lo } else { hi - n };
    let end = st + n;
    if sig.get(st..end) != Some(form.chars.as_slice()) {
        return false;
    }
    match form.kind {
        Kind::Long => true,
        Kind::Paren => gap(gaps, st).open && gap(gaps, end).close,
        Kind::Roman => {
            !at_start
                && form.inner_breaks.iter().all(|&b| gap(gaps, st + b).any)
                && (st == lo
                    || gap(gaps, st).any
                    || st
                        .checked_sub(1)
                        .and_then(|p| sig.get(p))
                        .is_some_and(|c| !c.is_ascii_alphanumeric()))
        }
    }
}

/// The longest form matching at the start or the end of `sig[lo..hi]` (一般社団法人 before
/// 社団法人): its length and whether it is at the start.
fn form_at_ends(
    forms: &Forms,
    sig: &[char],
    gaps: &[Gap],
    lo: usize,
    hi: usize,
    first: char,
    last: char,
) -> Option<(usize, bool)> {
    let mut best: Option<(usize, bool)> = None;
    let prefixes = forms.candidates(&forms.by_first, first).map(|f| (f, true));
    let suffixes = forms.candidates(&forms.by_last, last).map(|f| (f, false));
    for (form, at_start) in prefixes.chain(suffixes) {
        let n = form.chars.len();
        if best.is_some_and(|(b, _)| b >= n) {
            continue;
        }
        if matches(sig, gaps, lo, hi, form, at_start) {
            best = Some((n, at_start));
        }
    }
    best
}

/// Whether `s` starts or ends with a corporate form, in any of the spellings that
/// [`company_key`] removes (株式会社サンプル, サンプル(株), Sample Co., Ltd.).
pub fn has_corporate_form(s: &str) -> bool {
    let (sig, gaps) = signature(s);
    match (sig.first(), sig.last()) {
        (Some(&first), Some(&last)) => {
            form_at_ends(Forms::get(), &sig, &gaps, 0, sig.len(), first, last).is_some()
        }
        _ => false,
    }
}

/// Comparison key for a company: removes the corporate form in prefix or suffix position,
/// in all its spellings, then applies [`name_key`](super::name_key) to the rest.
///
/// Removed: 株式会社, 有限会社, 合同会社, 合資会社, 合名会社, 相互会社, 一般/公益 社団/財団法人,
/// 社団法人, 財団法人, 特定非営利活動法人, NPO法人, 学校法人, 医療法人(社団/財団), 社会福祉法人,
/// (地方)独立行政法人, 国立大学法人, 宗教法人; the bracketed abbreviations (株) ㈱ （株） (有) ㈲
/// (同) (資) (名) (一社) (一財) (公社) (公財) (社) (財) (医) (学) (福) (特非) (独); and at the
/// end, as whole words in any case: Co., Ltd. / Co.,Ltd / Company Limited / Ltd. / Limited /
/// Inc. / Incorporated / K.K. / KK / Corporation / Corp. / LLC / L.L.C. / G.K. / GK /
/// Kabushiki Kaisha / Godo Kaisha / Yugen Kaisha / PLC / GmbH. Several forms are all removed
/// (`株式会社サンプル Co., Ltd.` → `サンプル`). Spaces and punctuation inside a spelled-out form
/// are ignored (`株式 会社`).
///
/// If removing forms would leave nothing (a company literally called 株式会社), the last
/// form removed is keyed instead — for a single form, that is the original. Idempotent.
pub fn company_key(s: &str) -> String {
    let (sig, gaps) = signature(s);
    let forms = Forms::get();
    let (mut lo, mut hi) = (0, sig.len());
    let mut before_last = (lo, hi);
    while let (Some(&first), Some(&last)) =
        (sig.get(lo), hi.checked_sub(1).and_then(|i| sig.get(i)))
    {
        if lo >= hi {
            break;
        }
        let Some((n, at_start)) = form_at_ends(forms, &sig, &gaps, lo, hi, first, last) else {
            break;
        };
        before_last = (lo, hi);
        if at_start {
            lo += n;
        } else {
            hi -= n;
        }
    }
    if lo >= hi {
        (lo, hi) = before_last;
    }
    let out: String = sig.get(lo..hi).unwrap_or_default().iter().collect();
    stabilize::<NAME>(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::name_key;

    #[test]
    fn japanese_forms_prefix_and_suffix() {
        let expected = "サンプル";
        for form in [
            "株式会社",
            "(株)",
            "㈱",
            "（株）",
            "有限会社",
            "(有)",
            "㈲",
            "合同会社",
            "(同)",
            "合資会社",
            "(資)",
            "合名会社",
            "(名)",
            "一般社団法人",
            "(一社)",
            "一般財団法人",
            "(一財)",
            "公益社団法人",
            "(公社)",
            "公益財団法人",
            "(公財)",
            "特定非営利活動法人",
            "NPO法人",
            "ＮＰＯ法人",
            "npo法人",
            "学校法人",
            "医療法人",
            "医療法人社団",
            "社会福祉法人",
            "独立行政法人",
            "国立大学法人",
            "株式會社",
            "【株】",
            "( 株 )",
        ] {
            assert_eq!(
                company_key(&format!("{form}サンプル")),
                expected,
                "{form} prefix"
            );
            assert_eq!(
                company_key(&format!("{form} サンプル")),
                expected,
                "{form} prefix+sp"
            );
            assert_eq!(
                company_key(&format!("サンプル{form}")),
                expected,
                "{form} suffix"
            );
            assert_eq!(
                company_key(&format!("サンプル　{form}")),
                expected,
                "{form} suffix+sp"
            );
        }
    }

    #[test]
    fn romanised_forms_at_the_end() {
        for form in [
            "Co., Ltd.",
            "Co.,Ltd.",
            "CO., LTD",
            "co ltd",
            "Co. Ltd.",
            "Company Limited",
            "Inc.",
            "INC",
            "Incorporated",
            "K.K.",
            "KK",
            "Corporation",
            "Corp.",
            "Ltd.",
            "Limited",
            "LLC",
            "L.L.C.",
            "G.K.",
            "Kabushiki Kaisha",
            "ＩＮＣ．",
        ] {
            assert_eq!(company_key(&format!("Sample {form}")), "sample", "{form}");
            assert_eq!(company_key(&format!("Sample, {form}")), "sample", "{form}");
            assert_eq!(
                company_key(&format!("サンプル{form}")),
                "サンプル",
                "{form}"
            );
        }
    }

    #[test]
    fn romanised_forms_need_a_word_boundary_and_the_end() {
        assert_eq!(company_key("SampleInc"), "sampleinc");
        assert_eq!(company_key("Taco Ltd."), "taco");
        assert_eq!(company_key("Tacoltd"), "tacoltd");
        assert_eq!(company_key("Sample CoLtd"), "samplecoltd");
        assert_eq!(company_key("Inc. Sample"), "incsample");
        assert_eq!(company_key("Limited Edition Inc."), "limitededition");
        assert_eq!(company_key("Sample Co."), "sampleco");
    }

    #[test]
    fn bracketed_abbreviation_needs_brackets() {
        assert_eq!(company_key("株山商事"), "株山商事");
        assert_eq!(company_key("商事名"), "商事名");
        assert_eq!(company_key("(株)株山商事"), "株山商事");
        assert_eq!(company_key("名古屋(名)"), "名古屋");
    }

    #[test]
    fn several_forms() {
        assert_eq!(company_key("株式会社サンプル Co., Ltd."), "サンプル");
        assert_eq!(company_key("(株)サンプル(株)"), "サンプル");
        assert_eq!(company_key("一般社団法人サンプル協会"), "サンプル協会");
        assert_eq!(company_key("サンプル一般社団法人"), "サンプル");
    }

    #[test]
    fn variants_and_itaiji() {
        assert_eq!(
            company_key("株式会社 髙橋商店"),
            company_key("高橋商店(株)")
        );
        assert_eq!(company_key("ｻﾝﾌﾟﾙ㈱"), company_key("株式会社サンプル"));
        assert_eq!(company_key("Sample Trading Co., Ltd."), "sampletrading");
        assert_eq!(
            company_key("株式会社 サンプル・ジャパン"),
            "サンプルジャパン"
        );
    }

    #[test]
    fn nothing_left_keys_the_original() {
        assert_eq!(company_key("株式会社"), "株式会社");
        assert_eq!(company_key("(株)"), "株");
        assert_eq!(company_key("㈱"), "株");
        assert_eq!(company_key("Inc."), "inc");
        assert_eq!(company_key("Co., Ltd."), "coltd");
        // 有限会社 (longer) is removed first, (株) last.
        assert_eq!(company_key("(株)有限会社"), "株");
        assert_eq!(company_key("有限会社(株)"), "株");
        for s in [
            "株式会社",
            "(株)",
            "Inc.",
            "Co., Ltd.",
            "(株)有限会社",
            "K.K.",
            "NPO法人",
        ] {
            let k = company_key(s);
            assert_eq!(company_key(&k), k, "{s}");
        }
    }

    #[test]
    fn hostile() {
        assert_eq!(company_key(""), "");
        assert_eq!(company_key("  \u{3000} "), "");
        assert_eq!(company_key("()"), "");
        assert_eq!(company_key("😀株式会社"), "😀");
        assert_eq!(company_key("𠮷野家(株)"), "吉野家");
        let long = format!("株式会社{}", "サンプル".repeat(50_000));
        assert_eq!(company_key(&long), name_key(&"サンプル".repeat(50_000)));
    }
}
