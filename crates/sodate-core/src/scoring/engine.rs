//! The arithmetic of scores, shared by the full recompute, the incremental update, the
//! explanation, the impact preview and the demo generator, so that they can never disagree.
//!
//! Exactness: every quantity is an integer. A matching activity adds a *weight* in
//! 1/10,000 of its rule's points (10,000 when new, less as it decays; see [`Compiled::weight`]),
//! so a rule's total weight is an integer sum that does not depend on the order activities are
//! read in. A rule's line is `points × weight / 10,000` rounded to tenths of a point, then capped;
//! a score is the sum of its lines (in tenths), then the overall cap and floor, which appear as
//! lines of their own. The lines of an explanation therefore add up to the score exactly.

use std::collections::HashMap;

use super::model::{custom_name, Decay, Repeat, ScoringModel, TextOp};

/// The weight of an activity that has not decayed.
pub(crate) const WEIGHT_ONE: u32 = 10_000;

/// A field a fit rule reads, resolved from its code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum FieldRef {
    Title,
    Department,
    Email,
    EmailDomain,
    Prefecture,
    Source,
    Website,
    CompanyName,
    Industry,
    EmployeeBand,
    CompanyPrefecture,
    CompanyDomain,
    Custom(String),
}

impl FieldRef {
    pub(crate) fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "title" => FieldRef::Title,
            "department" => FieldRef::Department,
            "email" => FieldRef::Email,
            "email_domain" => FieldRef::EmailDomain,
            "prefecture" => FieldRef::Prefecture,
            "source" => FieldRef::Source,
            "website" => FieldRef::Website,
            "company.name" => FieldRef::CompanyName,
            "company.industry" => FieldRef::Industry,
            "company.employee_band" => FieldRef::EmployeeBand,
            "company.prefecture" => FieldRef::CompanyPrefecture,
            "company.domain" => FieldRef::CompanyDomain,
            other => FieldRef::Custom(custom_name(other)?.to_string()),
        })
    }

    /// The SQL expression that reads the field (`l` = leads, `c` = companies); custom fields
    /// read `json_extract(l.custom, ?N)` with their path bound as parameter N.
    pub(crate) fn sql(&self, param: usize) -> String {
        match self {
            FieldRef::Title => "l.title".into(),
            FieldRef::Department => "l.department".into(),
            FieldRef::Email | FieldRef::EmailDomain => "l.email".into(),
            FieldRef::Prefecture => "l.prefecture".into(),
            FieldRef::Source => "l.source".into(),
            FieldRef::Website => "l.website".into(),
            FieldRef::CompanyName => "c.name".into(),
            FieldRef::Industry => "c.industry".into(),
            FieldRef::EmployeeBand => "c.employee_band".into(),
            FieldRef::CompanyPrefecture => "c.prefecture".into(),
            FieldRef::CompanyDomain => "c.domain".into(),
            FieldRef::Custom(_) => format!("json_extract(l.custom, ?{param})"),
        }
    }

    pub(crate) fn is_company(&self) -> bool {
        matches!(
            self,
            FieldRef::CompanyName
                | FieldRef::Industry
                | FieldRef::EmployeeBand
                | FieldRef::CompanyPrefecture
                | FieldRef::CompanyDomain
        )
    }
}

/// Text as rules compare it: NFKC, lower case (`ＣＥＯ` = `ceo`).
pub(crate) fn fold(s: &str, out: &mut String) {
    out.clear();
    if s.is_ascii() {
        out.push_str(s);
        out.make_ascii_lowercase();
        return;
    }
    use unicode_normalization::UnicodeNormalization;
    for c in s.nfkc() {
        out.extend(c.to_lowercase());
    }
}

fn folded(s: &str) -> String {
    let mut out = String::new();
    fold(s, &mut out);
    out
}

fn text_matches(op: TextOp, value: &str, patterns: &[String]) -> bool {
    match op {
        TextOp::NotEmpty => !value.trim().is_empty(),
        TextOp::Empty => value.trim().is_empty(),
        TextOp::Contains => patterns.iter().any(|p| value.contains(p.as_str())),
        TextOp::Equals => patterns.iter().any(|p| value.trim() == p),
        TextOp::StartsWith => patterns
            .iter()
            .any(|p| value.trim_start().starts_with(p.as_str())),
        TextOp::EndsWith => patterns
            .iter()
            .any(|p| value.trim_end().ends_with(p.as_str())),
    }
}

struct CompiledBehaviour {
    points: i64,
    once: bool,
    cap: Option<i64>,
    detail: Option<(TextOp, Vec<String>)>,
}

struct CompiledFit {
    field: usize,
    op: TextOp,
    values: Vec<String>,
    points: i64,
}

/// A model ready to score: activity types resolved to ids, texts folded, points in tenths,
/// the decay as a table of weights by age in days.
pub(crate) struct Compiled {
    pub model: ScoringModel,
    behaviour: Vec<CompiledBehaviour>,
    /// Rule indices per activity type id.
    by_type: Vec<Vec<usize>>,
    /// Whether any rule of the type has a detail condition.
    type_needs_detail: Vec<bool>,
    weights: Vec<u32>,
    tail_weight: u32,
    fit: Vec<CompiledFit>,
    /// The fields fit rules read, in the order [`Compiled::fit_tenths`] wants their values.
    pub fields: Vec<FieldRef>,
    engagement_cap: Option<i64>,
    fit_cap: Option<i64>,
    mql: (i64, i64),
    grade_fit: [i64; 3],
    grade_engagement: [i64; 3],
}

/// Points (or a threshold) in tenths.
pub(crate) fn tenths(points: f64) -> i64 {
    (points * 10.0).round() as i64
}

/// `a / b` rounded half away from zero (b > 0).
fn div_round(a: i64, b: i64) -> i64 {
    if a >= 0 {
        (a + b / 2) / b
    } else {
        -((-a + b / 2) / b)
    }
}

/// Where one lead's per-rule weights are kept while its activities are added.
pub(crate) trait Slots {
    fn slot(&mut self, rule: usize) -> &mut u32;
}

impl Slots for [u32] {
    fn slot(&mut self, rule: usize) -> &mut u32 {
        &mut self[rule]
    }
}

impl Slots for Vec<u32> {
    fn slot(&mut self, rule: usize) -> &mut u32 {
        &mut self[rule]
    }
}

/// Lead `lead`'s weights in rule-major arrays (rule `i` at `i × stride + lead`): a full read
/// adds the activities of one type at a time to random leads, and then touches one array of
/// 4 bytes per lead per rule (cache-sized) instead of all rules' weights of every lead.
pub(crate) struct Column<'a> {
    pub weights: &'a mut [u32],
    pub stride: usize,
    pub lead: usize,
}

impl Slots for Column<'_> {
    fn slot(&mut self, rule: usize) -> &mut u32 {
        &mut self.weights[rule * self.stride + self.lead]
    }
}

/// One lead's scores, in tenths of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LeadScore {
    pub engagement: i64,
    pub fit: i64,
    pub grade: [u8; 2],
    pub is_mql: bool,
}

impl LeadScore {
    pub fn grade_str(&self) -> &str {
        std::str::from_utf8(&self.grade).unwrap_or("")
    }
}

/// One line of a score before it is given its words: which rule (or cap), the points in
/// tenths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawLine {
    Behaviour {
        rule: usize,
        points: i64,
        capped: bool,
    },
    Fit {
        rule: usize,
        points: i64,
    },
    EngagementCap(i64),
    EngagementFloor(i64),
    FitCap(i64),
}

impl Compiled {
    /// `type_ids`: activity type code → id. Rules on types that do not exist match nothing
    /// (saving a model refuses them; this only guards a type removed behind its back).
    pub fn new(model: ScoringModel, type_ids: &HashMap<String, i64>) -> Self {
        let max_type = type_ids.values().copied().max().unwrap_or(0).max(0) as usize;
        let mut by_type = vec![Vec::new(); max_type + 1];
        let mut type_needs_detail = vec![false; max_type + 1];
        let behaviour = model
            .behaviour_rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if let Some(&t) = type_ids.get(&r.activity_type) {
                    if t >= 0 {
                        by_type[t as usize].push(i);
                        type_needs_detail[t as usize] |= r.detail.is_some();
                    }
                }
                CompiledBehaviour {
                    points: tenths(r.points),
                    once: r.repeat == Repeat::Once,
                    cap: r.cap.map(tenths),
                    detail: r.detail.as_ref().map(|d| (d.op, vec![folded(&d.value)])),
                }
            })
            .collect();
        let mut fields: Vec<FieldRef> = Vec::new();
        let fit = model
            .fit_rules
            .iter()
            .filter_map(|r| {
                let field = FieldRef::parse(&r.field)?;
                let index = match fields.iter().position(|f| *f == field) {
                    Some(i) => i,
                    None => {
                        fields.push(field);
                        fields.len() - 1
                    }
                };
                Some(CompiledFit {
                    field: index,
                    op: r.op,
                    values: r
                        .values
                        .iter()
                        .map(|v| folded(v.trim()))
                        .filter(|v| !v.is_empty())
                        .collect(),
                    points: tenths(r.points),
                })
            })
            .collect();
        let (weights, tail_weight) = match model.decay {
            Decay::None => (Vec::new(), WEIGHT_ONE),
            Decay::Window { days } => (vec![WEIGHT_ONE; days as usize], 0),
            Decay::HalfLife { days } => {
                let mut w = Vec::new();
                for age in 0..200_000u32 {
                    let v = (f64::from(WEIGHT_ONE) * 0.5f64.powf(f64::from(age) / days)).round();
                    if v < 1.0 {
                        break;
                    }
                    w.push(v as u32);
                }
                (w, 0)
            }
        };
        Compiled {
            engagement_cap: model.engagement_cap.map(tenths),
            fit_cap: model.fit_cap.map(tenths),
            mql: (tenths(model.mql.engagement), tenths(model.mql.fit)),
            grade_fit: model.grades.fit.map(tenths),
            grade_engagement: model.grades.engagement.map(tenths),
            model,
            behaviour,
            by_type,
            type_needs_detail,
            weights,
            tail_weight,
            fit,
            fields,
        }
    }

    /// Number of behaviour rules (the slots of a lead's accumulator).
    pub fn slots(&self) -> usize {
        self.behaviour.len()
    }

    /// Whether activities of this type count for any rule.
    pub fn counts_type(&self, type_id: i64) -> bool {
        usize::try_from(type_id)
            .ok()
            .and_then(|t| self.by_type.get(t))
            .is_some_and(|r| !r.is_empty())
    }

    /// Whether rules on activities of this type read their detail.
    pub fn needs_detail(&self, type_id: i64) -> bool {
        usize::try_from(type_id)
            .ok()
            .and_then(|t| self.type_needs_detail.get(t))
            .copied()
            .unwrap_or(false)
    }

    /// The activity types some rule counts, each with whether its rules read the detail.
    pub fn counted_types(&self) -> Vec<(i64, bool)> {
        (0..self.by_type.len())
            .filter(|&t| !self.by_type[t].is_empty())
            .map(|t| (t as i64, self.type_needs_detail[t]))
            .collect()
    }

    /// Whether an activity of this type with an empty detail counts for any rule (a rule on
    /// the type without a detail condition, or a condition an empty detail meets).
    pub fn counts_empty_detail(&self, type_id: i64) -> bool {
        let Some(rules) = usize::try_from(type_id)
            .ok()
            .and_then(|t| self.by_type.get(t))
        else {
            return false;
        };
        rules.iter().any(|&i| match &self.behaviour[i].detail {
            None => true,
            Some((op, patterns)) => text_matches(*op, "", patterns),
        })
    }

    /// The weight of an activity `age_days` old (future activities count as new).
    pub fn weight(&self, age_days: i64) -> u32 {
        let age = age_days.max(0) as usize;
        self.weights.get(age).copied().unwrap_or(self.tail_weight)
    }

    /// Adds one activity (type id, Unix time, detail) to a lead's per-rule weights (`slots`, one per behaviour rule);
    /// calls `matched(rule, weight)` for each rule it counts for. `fold_buf` is scratch space.
    pub fn add_activity(
        &self,
        slots: &mut (impl Slots + ?Sized),
        (type_id, occurred_at, detail): (i64, i64, &str),
        today: i64,
        fold_buf: &mut String,
        mut matched: impl FnMut(usize, u32),
    ) {
        let Some(t) = usize::try_from(type_id).ok() else {
            return;
        };
        let Some(rules) = self.by_type.get(t) else {
            return;
        };
        if rules.is_empty() {
            return;
        }
        if self.type_needs_detail[t] {
            fold(detail, fold_buf);
        }
        let w = self.weight(today - occurred_at.div_euclid(86_400));
        for &i in rules {
            let r = &self.behaviour[i];
            if let Some((op, patterns)) = &r.detail {
                if !text_matches(*op, fold_buf, patterns) {
                    continue;
                }
            }
            let slot = slots.slot(i);
            *slot = if r.once {
                (*slot).max(w)
            } else {
                slot.saturating_add(w)
            };
            matched(i, w);
        }
    }

    /// The line of behaviour rule `i` from its total weight: (tenths, capped?).
    fn behaviour_line(&self, i: usize, weight: u32) -> (i64, bool) {
        let r = &self.behaviour[i];
        let raw = div_round(r.points * i64::from(weight), i64::from(WEIGHT_ONE));
        match r.cap {
            Some(cap) if raw.abs() > cap => (raw.signum() * cap, true),
            _ => (raw, false),
        }
    }

    /// The fit rules a lead matches, as a bit set (bit `i` = compiled fit rule `i`; models
    /// have at most [`MAX_FIT_RULES`](super::model::MAX_FIT_RULES)). `values[k]` is the value
    /// of `self.fields[k]`. Each distinct value of a field is folded and tested once per memo.
    pub fn fit_mask(&self, values: &[&str], memo: &mut FitMemo) -> u64 {
        if memo.by_field.len() != self.fields.len() {
            memo.by_field = vec![HashMap::new(); self.fields.len()];
        }
        let mut mask = 0u64;
        for (k, raw) in values.iter().enumerate() {
            // (A domain's matches depend on the domain only: memoised by it.)
            let key = match self.fields[k] {
                FieldRef::EmailDomain => raw_domain(raw),
                _ => raw,
            };
            if let Some(m) = memo.by_field[k].get(key) {
                mask |= m;
                continue;
            }
            let m = self.value_mask(k, key, &mut memo.buf);
            if memo.by_field[k].len() < 200_000 && self.fields[k] != FieldRef::Email {
                memo.by_field[k].insert(key.to_string(), m);
            }
            mask |= m;
        }
        mask
    }

    /// The fit rules on field `k` that `raw` (a stored value of it) matches, as a bit set.
    pub fn value_mask(&self, k: usize, raw: &str, buf: &mut String) -> u64 {
        if self.fields[k] == FieldRef::EmailDomain {
            fold(raw_domain(raw), buf);
            let d = email_domain(buf).to_string();
            *buf = d;
        } else {
            fold(raw, buf);
        }
        let mut m = 0u64;
        for (i, r) in self.fit.iter().enumerate().take(64) {
            if r.field == k && text_matches(r.op, buf, &r.values) {
                m |= 1 << i;
            }
        }
        m
    }

    /// The indices of the fit rules in a mask.
    pub fn fit_indices(mask: u64) -> Vec<usize> {
        (0..64).filter(|i| mask >> i & 1 == 1).collect()
    }

    /// The lines of a lead's scores, from its per-rule weights and matched fit rules.
    pub fn lines(&self, slots: &[u32], fit_matched: &[usize]) -> Vec<RawLine> {
        let mut lines = Vec::new();
        let mut engagement = 0;
        for (i, &w) in slots.iter().enumerate() {
            if w == 0 {
                continue;
            }
            let (points, capped) = self.behaviour_line(i, w);
            if points != 0 {
                engagement += points;
                lines.push(RawLine::Behaviour {
                    rule: i,
                    points,
                    capped,
                });
            }
        }
        if let Some(cap) = self.engagement_cap {
            if engagement > cap {
                lines.push(RawLine::EngagementCap(cap - engagement));
                engagement = cap;
            }
        }
        if engagement < 0 {
            lines.push(RawLine::EngagementFloor(-engagement));
        }
        let mut fit = 0;
        for &i in fit_matched {
            let points = self.fit[i].points;
            if points != 0 {
                fit += points;
                lines.push(RawLine::Fit { rule: i, points });
            }
        }
        if let Some(cap) = self.fit_cap {
            if fit > cap {
                lines.push(RawLine::FitCap(cap - fit));
            }
        }
        lines
    }

    /// A lead's scores from its per-rule weights and matched fit rules (the sums of
    /// [`Compiled::lines`], computed without building them).
    pub fn score(&self, slots: &[u32], fit_mask: u64) -> LeadScore {
        let mut engagement: i64 = slots
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 0)
            .map(|(i, &w)| self.behaviour_line(i, w).0)
            .sum();
        if let Some(cap) = self.engagement_cap {
            engagement = engagement.min(cap);
        }
        engagement = engagement.max(0);
        let mut fit: i64 = self
            .fit
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 64 && fit_mask >> i & 1 == 1)
            .map(|(_, r)| r.points)
            .sum();
        if let Some(cap) = self.fit_cap {
            fit = fit.min(cap);
        }
        self.finish(engagement, fit)
    }

    /// Grade and MQL state of two scores (tenths).
    pub fn finish(&self, engagement: i64, fit: i64) -> LeadScore {
        let letter = b"ABC"
            .iter()
            .zip(self.grade_fit)
            .find(|(_, t)| fit >= *t)
            .map_or(b'D', |(l, _)| *l);
        let digit = b"123"
            .iter()
            .zip(self.grade_engagement)
            .find(|(_, t)| engagement >= *t)
            .map_or(b'4', |(d, _)| *d);
        LeadScore {
            engagement,
            fit,
            grade: [letter, digit],
            is_mql: engagement >= self.mql.0 && fit >= self.mql.1,
        }
    }

    pub fn behaviour_rule(&self, i: usize) -> &super::model::BehaviourRule {
        &self.model.behaviour_rules[i]
    }

    /// The model's fit rule behind compiled fit rule `i` (rules on unknown fields are
    /// dropped when compiling, so indices are recounted).
    pub fn fit_rule(&self, i: usize) -> Option<&super::model::FitRule> {
        self.model
            .fit_rules
            .iter()
            .filter(|r| FieldRef::parse(&r.field).is_some())
            .nth(i)
    }

    pub fn fit_field_of(&self, i: usize) -> &FieldRef {
        &self.fields[self.fit[i].field]
    }
}

/// Fit-rule matches by field value (see [`Compiled::fit_mask`]).
#[derive(Default)]
pub(crate) struct FitMemo {
    by_field: Vec<HashMap<String, u64>>,
    buf: String,
}

/// The part after the last at-sign (half or full width), or the whole text.
pub(crate) fn raw_domain(email: &str) -> &str {
    email.rfind(['@', '＠']).map_or(email, |i| &email[i..])
}

/// The domain of an e-mail address (`""` without one).
pub(crate) fn email_domain(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(model: ScoringModel) -> Compiled {
        let types: HashMap<String, i64> = [
            ("page_view", 1),
            ("document_request", 2),
            ("email_unsubscribed", 3),
        ]
        .into_iter()
        .map(|(c, i)| (c.to_string(), i))
        .collect();
        Compiled::new(model, &types)
    }

    #[test]
    fn half_life_halves_and_the_table_ends_at_zero() {
        let c = compiled(ScoringModel::default());
        assert_eq!(c.weight(0), WEIGHT_ONE);
        assert_eq!(c.weight(90), WEIGHT_ONE / 2);
        assert_eq!(c.weight(180), WEIGHT_ONE / 4);
        assert_eq!(c.weight(-5), WEIGHT_ONE);
        assert_eq!(c.weight(100_000), 0);
    }

    #[test]
    fn detail_conditions_fold_width_and_case() {
        let c = compiled(ScoringModel::default());
        let mut slots = vec![0; c.slots()];
        let mut buf = String::new();
        c.add_activity(
            &mut slots,
            (1, 0, "https://ex.jp/PRICING"),
            0,
            &mut buf,
            |_, _| {},
        );
        c.add_activity(
            &mut slots,
            (1, 0, "／ｐｒｏｄｕｃｔｓ/ma"),
            0,
            &mut buf,
            |_, _| {},
        );
        let pricing = c
            .model
            .behaviour_rules
            .iter()
            .position(|r| r.id == "pricing_page")
            .unwrap();
        let product = c
            .model
            .behaviour_rules
            .iter()
            .position(|r| r.id == "product_page")
            .unwrap();
        assert_eq!(slots[pricing], WEIGHT_ONE);
        assert_eq!(slots[product], WEIGHT_ONE);
    }

    #[test]
    fn email_domains_and_titles_match_fit_rules() {
        let mut model = ScoringModel::default();
        model
            .fit_rules
            .retain(|r| r.field == "title" || r.field == "email_domain");
        let c = compiled(model);
        let values: Vec<&str> = c
            .fields
            .iter()
            .map(|f| match f {
                FieldRef::Title => "営業部長",
                _ => "taro＠ＧＭＡＩＬ.com",
            })
            .collect();
        let mut memo = FitMemo::default();
        let ids: Vec<&str> = Compiled::fit_indices(c.fit_mask(&values, &mut memo))
            .into_iter()
            .map(|i| c.fit_rule(i).unwrap().id.as_str())
            .collect();
        assert_eq!(ids, ["manager", "free_mail"]);
    }
}
