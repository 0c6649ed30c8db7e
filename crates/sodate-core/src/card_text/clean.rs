//! OCR lines to clean text: NFKC, the spaces tesseract puts between Japanese characters
//! removed, stray border characters trimmed, and the geometry the field rules need.

use crate::normalize::nfkc;

use super::{OcrBox, OcrLine, MAX_LINES, MAX_LINE_CHARS};

/// A line ready for the field rules.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub text: String,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// Character height (the box's height, else the row height; 0 when unknown).
    pub height: f64,
    /// Taken by a field already.
    pub used: bool,
}

/// Japanese script: kana, CJK ideographs, Japanese punctuation and the long-vowel mark.
pub(super) fn is_japanese(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF5F}'..='\u{FF9F}')
}

/// Hiragana, katakana and the marks a reading is written with.
pub(super) fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}')
}

/// Characters OCR reads off borders, bands and logo edges.
fn is_stray(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '|' | '_' | '~' | '`' | '"' | '\'' | '•' | '·' | '¦' | '‖' | '=' | '*' | '^' | '\\'
        )
}

/// Marks OCR reads off specks between Japanese characters (山田” 太郎, 部 _マネージャー).
fn is_speck(c: char) -> bool {
    matches!(
        c,
        '”' | '“' | '’' | '‘' | '"' | '\'' | '`' | '_' | '¦' | '|'
    )
}

fn finish(text: String) -> String {
    let t = text.trim_matches(is_stray);
    let chars: Vec<char> = t.chars().collect();
    let near_japanese = |i: usize| {
        let side = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|&c| c == ' ' || is_japanese(c))
        };
        side(i.checked_sub(1)) || side(Some(i + 1))
    };
    let mut out = String::with_capacity(t.len());
    let mut last_space = false;
    for (i, &c) in chars.iter().enumerate() {
        if is_speck(c) && near_japanese(i) {
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

/// Whether two characters OCR separated by one space belong together: Japanese with
/// Japanese, or Japanese with a digit (丸の内 1-2-3, 5 階).
fn glue(a: char, b: char) -> bool {
    (is_japanese(a) && (is_japanese(b) || b.is_ascii_digit()))
        || (is_japanese(b) && a.is_ascii_digit())
}

/// Text without boxes: a single space between two Japanese characters is dropped; an
/// ideographic space or a run of spaces is a real one.
fn join_plain(text: &str) -> String {
    let chars: Vec<char> = text.chars().take(MAX_LINE_CHARS).collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == ' ' || c == '\t' {
            let run_end = chars.get(i..).map_or(i, |rest| {
                i + rest.iter().take_while(|&&s| s == ' ' || s == '\t').count()
            });
            let before = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
            let after = chars.get(run_end).copied();
            let single = run_end - i == 1;
            let glued = matches!((before, after), (Some(a), Some(b)) if glue(a, b));
            if !(single && glued) {
                out.push(' ');
            }
            i = run_end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    // tesseract's Japanese model reads @ as ⑦, which NFKC would make a 7.
    nfkc(&out.replace('⑦', "@"))
}

/// Text rebuilt from the words: a space where the gap between two words is wider than
/// half the character height, or between two words that are not Japanese at their join.
fn join_words(line: &OcrLine, height: f64) -> String {
    let mut out = String::new();
    let mut prev: Option<(OcrBox, char)> = None;
    for word in line.words.iter().take(MAX_LINE_CHARS) {
        let text = join_plain(word.text.trim());
        let (Some(first), Some(last)) = (text.chars().next(), text.chars().last()) else {
            continue;
        };
        if let Some((pb, plast)) = prev {
            let gap = word.bbox.left - (pb.left + pb.width);
            let wide = height > 0.0 && gap > 0.5 * height;
            if wide || !glue(plast, first) {
                out.push(' ');
            }
        }
        out.push_str(&text);
        prev = Some((word.bbox, last));
    }
    out
}

fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// The lines, cleaned, in reading order (top to bottom; the input order when there is no
/// geometry). Empty lines are dropped.
pub(super) fn clean_lines(lines: &[OcrLine]) -> Vec<Line> {
    let mut out: Vec<Line> = lines
        .iter()
        .take(MAX_LINES)
        .filter_map(|l| {
            let bbox_height = finite(l.bbox.height).max(0.0);
            let line_height = finite(l.line_height).max(0.0);
            // The ink's height tells sizes apart best; the row height when there is no box.
            let height = if bbox_height > 0.0 {
                bbox_height
            } else {
                line_height
            };
            let words_usable = !l.words.is_empty()
                && l.words
                    .iter()
                    .all(|w| w.bbox.width.is_finite() && w.bbox.left.is_finite());
            let raw = if words_usable {
                join_words(l, height)
            } else {
                join_plain(&l.text)
            };
            let text = finish(raw);
            if text.is_empty() {
                return None;
            }
            let top = finite(l.bbox.top);
            let left = finite(l.bbox.left);
            Some(Line {
                text,
                left,
                right: left + finite(l.bbox.width).max(0.0),
                top,
                bottom: top + bbox_height,
                height,
                used: false,
            })
        })
        .collect();
    // Stable: lines without geometry (all tops 0) keep their order.
    out.sort_by(|a, b| a.top.total_cmp(&b.top));
    merge_rows(out)
}

/// Whether two lines are pieces of one row of text: the same size, side by side, at the
/// same height (tesseract splits a line at a wide gap, e.g. between family and given name).
fn same_row(a: &Line, b: &Line) -> bool {
    let (ha, hb) = (a.bottom - a.top, b.bottom - b.top);
    if a.height <= 0.0 || b.height <= 0.0 || ha <= 0.0 || hb <= 0.0 {
        return false;
    }
    let overlap = a.bottom.min(b.bottom) - a.top.max(b.top);
    let ratio = a.height / b.height;
    let apart = a.right <= b.left || b.right <= a.left;
    overlap >= 0.6 * ha.min(hb) && (0.75..=1.33).contains(&ratio) && apart
}

fn merge_rows(lines: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines {
        let Some(row) = out.iter_mut().rev().take(3).find(|o| same_row(o, &line)) else {
            out.push(line);
            continue;
        };
        let (first, second) = if line.left < row.left {
            (line.text.clone(), row.text.clone())
        } else {
            (row.text.clone(), line.text.clone())
        };
        row.text = format!("{first} {second}");
        row.left = row.left.min(line.left);
        row.right = row.right.max(line.right);
        row.top = row.top.min(line.top);
        row.bottom = row.bottom.max(line.bottom);
        row.height = row.height.max(line.height);
    }
    out
}

/// Plain text, one OCR line per text line (for the CLI and tests): no geometry, so the
/// name is the first line that looks like one.
pub fn lines_from_text(text: &str) -> Vec<OcrLine> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| OcrLine {
            text: l.to_string(),
            ..OcrLine::default()
        })
        .collect()
}
