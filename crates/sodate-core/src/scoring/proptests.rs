//! Property tests of the score arithmetic: explanations add up, decay only ever lowers
//! scores as time passes, caps hold, and once/repeatable rules count as they say.

use std::collections::HashMap;

use proptest::prelude::*;

use super::engine::{Compiled, FitMemo, RawLine, WEIGHT_ONE};
use super::model::*;

const TYPES: [&str; 4] = [
    "page_view",
    "document_request",
    "seminar_attended",
    "booth_visit",
];
const DETAILS: [&str; 4] = ["/pricing", "/products/ma", "/", "料金表"];
const TITLES: [&str; 4] = ["営業部長", "担当", "代表取締役", ""];
const EMAILS: [&str; 3] = ["a@gmail.com", "b@example.co.jp", "c@u-tokyo.ac.jp"];

fn type_ids() -> HashMap<String, i64> {
    TYPES
        .iter()
        .enumerate()
        .map(|(i, t)| (t.to_string(), i as i64 + 1))
        .collect()
}

fn rule_strategy(i: usize) -> impl Strategy<Value = BehaviourRule> {
    (
        0..TYPES.len(),
        proptest::option::of(0..DETAILS.len()),
        -300i32..=500,
        any::<bool>(),
        proptest::option::of(0u32..=1_000),
    )
        .prop_map(move |(t, d, points, once, cap)| BehaviourRule {
            id: format!("r{i}"),
            label: Label::new("規則", "rule"),
            activity_type: TYPES[t].into(),
            detail: d.map(|d| DetailCondition {
                op: TextOp::Contains,
                value: DETAILS[d].into(),
            }),
            points: f64::from(points) / 10.0,
            repeat: if once {
                Repeat::Once
            } else {
                Repeat::Repeatable
            },
            cap: cap.map(|c| f64::from(c) / 10.0),
        })
}

fn model_strategy(non_negative: bool) -> impl Strategy<Value = ScoringModel> {
    let rules = (0..6usize).map(rule_strategy).collect::<Vec<_>>();
    (
        rules,
        prop_oneof![
            Just(Decay::None),
            (1u32..400).prop_map(|d| Decay::HalfLife {
                days: f64::from(d) / 2.0
            }),
            (1u32..400).prop_map(|days| Decay::Window { days }),
        ],
        proptest::option::of(0u32..=2_000),
        proptest::option::of(0u32..=1_000),
        -200i32..=400,
    )
        .prop_map(move |(mut rules, decay, cap, fit_cap, fit_points)| {
            if non_negative {
                for r in &mut rules {
                    r.points = r.points.abs();
                }
            }
            let mut m = ScoringModel {
                behaviour_rules: rules,
                decay,
                engagement_cap: cap.map(|c| f64::from(c) / 10.0),
                fit_cap: fit_cap.map(|c| f64::from(c) / 10.0),
                ..ScoringModel::default()
            };
            m.fit_rules[0].points = f64::from(fit_points) / 10.0;
            m
        })
}

/// Activities as (type index, age in days, detail index).
fn activities_strategy() -> impl Strategy<Value = Vec<(usize, i64, usize)>> {
    prop::collection::vec((0..TYPES.len(), 0i64..800, 0..DETAILS.len()), 0..40)
}

const TODAY: i64 = 20_000;

fn slots_of(c: &Compiled, acts: &[(usize, i64, usize)], today: i64) -> Vec<u32> {
    let mut slots = vec![0; c.slots()];
    let mut buf = String::new();
    for &(t, age, d) in acts {
        c.add_activity(
            &mut slots,
            (t as i64 + 1, (TODAY - age) * 86_400 + 3_600, DETAILS[d]),
            today,
            &mut buf,
            |_, _| {},
        );
    }
    slots
}

fn fit_mask(c: &Compiled, title: &str, email: &str) -> u64 {
    let values: Vec<&str> = c
        .fields
        .iter()
        .map(|f| match f {
            super::engine::FieldRef::Title => title,
            super::engine::FieldRef::EmailDomain | super::engine::FieldRef::Email => email,
            _ => "",
        })
        .collect();
    c.fit_mask(&values, &mut FitMemo::default())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn explanation_lines_add_up_to_the_scores(
        model in model_strategy(false),
        acts in activities_strategy(),
        title in 0..TITLES.len(),
        email in 0..EMAILS.len(),
    ) {
        let c = Compiled::new(model, &type_ids());
        let slots = slots_of(&c, &acts, TODAY);
        let mask = fit_mask(&c, TITLES[title], EMAILS[email]);
        let score = c.score(&slots, mask);
        let lines = c.lines(&slots, &Compiled::fit_indices(mask));
        let engagement: i64 = lines.iter().map(|l| match l {
            RawLine::Behaviour { points, .. } | RawLine::EngagementCap(points) | RawLine::EngagementFloor(points) => *points,
            _ => 0,
        }).sum();
        let fit: i64 = lines.iter().map(|l| match l {
            RawLine::Fit { points, .. } | RawLine::FitCap(points) => *points,
            _ => 0,
        }).sum();
        prop_assert_eq!(engagement, score.engagement);
        prop_assert_eq!(fit, score.fit);
    }

    #[test]
    fn caps_hold(model in model_strategy(false), acts in activities_strategy()) {
        let c = Compiled::new(model.clone(), &type_ids());
        let slots = slots_of(&c, &acts, TODAY);
        let score = c.score(&slots, fit_mask(&c, "代表取締役", "x@gmail.com"));
        prop_assert!(score.engagement >= 0);
        if let Some(cap) = model.engagement_cap {
            prop_assert!(score.engagement as f64 <= cap * 10.0 + 1e-9);
        }
        if let Some(cap) = model.fit_cap {
            prop_assert!(score.fit as f64 <= cap * 10.0 + 1e-9);
        }
        for l in c.lines(&slots, &[]) {
            if let RawLine::Behaviour { rule, points, .. } = l {
                if let Some(cap) = model.behaviour_rules[rule].cap {
                    prop_assert!((points.abs() as f64) <= cap * 10.0 + 1e-9, "{} > cap {}", points, cap);
                }
            }
        }
    }

    #[test]
    fn decay_never_raises_engagement_as_days_pass(
        model in model_strategy(true),
        acts in activities_strategy(),
        later in 0i64..400,
    ) {
        let c = Compiled::new(model, &type_ids());
        let now = c.score(&slots_of(&c, &acts, TODAY), 0).engagement;
        let then = c.score(&slots_of(&c, &acts, TODAY + later), 0).engagement;
        prop_assert!(then <= now, "{} days later {} > {}", later, then, now);
    }

    #[test]
    fn once_counts_the_newest_and_repeatable_counts_each(
        points in 1i32..=500,
        ages in prop::collection::vec(0i64..300, 1..12),
    ) {
        let model = ScoringModel {
            behaviour_rules: vec![
            BehaviourRule {
                id: "once".into(),
                label: Label::new("一度", "once"),
                activity_type: "document_request".into(),
                detail: None,
                points: f64::from(points) / 10.0,
                repeat: Repeat::Once,
                cap: None,
            },
            BehaviourRule {
                id: "each".into(),
                label: Label::new("毎回", "each"),
                activity_type: "document_request".into(),
                detail: None,
                points: f64::from(points) / 10.0,
                repeat: Repeat::Repeatable,
                cap: None,
            },
        ],
            engagement_cap: None,
            ..ScoringModel::default()
        };
        let c = Compiled::new(model, &type_ids());
        let acts: Vec<(usize, i64, usize)> = ages.iter().map(|a| (1, *a, 2)).collect();
        let slots = slots_of(&c, &acts, TODAY);
        let newest = *ages.iter().min().unwrap();
        prop_assert_eq!(slots[0], c.weight(newest));
        let sum: u32 = ages.iter().map(|a| c.weight(*a)).sum();
        prop_assert_eq!(slots[1], sum);
        // All of the same age: repeatable is the count times once (to the rounding of a line).
        let same: Vec<(usize, i64, usize)> = ages.iter().map(|_| (1, 0, 2)).collect();
        let slots = slots_of(&c, &same, TODAY);
        prop_assert_eq!(slots[0], WEIGHT_ONE);
        prop_assert_eq!(slots[1], WEIGHT_ONE * ages.len() as u32);
        let lines = c.lines(&slots, &[]);
        let once_points = i64::from(points);
        let once_line = RawLine::Behaviour { rule: 0, points: once_points, capped: false };
        prop_assert!(lines.contains(&once_line));
        let each_line = RawLine::Behaviour { rule: 1, points: once_points * ages.len() as i64, capped: false };
        prop_assert!(lines.contains(&each_line));
    }
}
