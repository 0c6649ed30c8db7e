//! Finding duplicate leads: candidate pairs from shared keys (blocking), each scored with
//! human-readable reasons, grouped into clusters. The scan reads only; merging two leads,
//! undoing a merge and marking a pair "not a duplicate" are in [`merge`](merge()) and
//! [`unmerge`] (see the `merge` module's notes for what moves and what the journal keeps).
//!
//! **Blocking.** All pairs are never compared. One pass over the leads (and `lead_contacts`)
//! hashes each lead's keys into blocks; leads sharing a block become candidate pairs:
//!
//! | block | key |
//! |---|---|
//! | `email` | normalised e-mail (main and secondary) |
//! | `phone` | E.164 of the phone, mobile and secondary numbers |
//! | `name_company` | name key + company name key (corporate form dropped) |
//! | `reading_company` | reading key + company name key |
//! | `name_domain` | name key + company domain, and name key + e-mail domain |
//! | `email_local_domain` | e-mail local part without trailing digits + company domain |
//!
//! A block shared by more than [`ScanOptions::max_block_size`] leads (a company's
//! switchboard number, a shared info@ address) is skipped and listed in
//! [`ScanReport::skipped_blocks`]: its pairs would be mostly noise and quadratic in number.
//! Pairs marked "not a duplicate" (`not_duplicates`) are dropped.
//!
//! **Scoring.** Each candidate pair is compared field by field; every piece of evidence is a
//! [`Reason`] with a stable code (translated by the UI with its `params`), its points and an
//! English message. The confidence is the sum of the points clamped to 0–100; missing values
//! (no reading, no phone) count neither for nor against.
//!
//! | code | points | when |
//! |---|---|---|
//! | `same_email` | +50 | an e-mail address (main or secondary) is shared, after normalisation |
//! | `similar_email` | +20 | same local part ignoring trailing digits and dots, or Jaro-Winkler ≥ 0.92 on the local parts |
//! | `different_email` | −10 | both have addresses and none is alike |
//! | `same_phone` | +35 | a phone or mobile number (E.164, main or secondary) is shared |
//! | `different_phone` | −30 | both have a landline (or both a mobile) and no number is shared |
//! | `same_name` | +25 | the name keys are equal (width, spacing, punctuation ignored) |
//! | `name_itaiji` | +25 | equal only once variant kanji are folded (髙橋 = 高橋) |
//! | `similar_name` | +10 | Jaro-Winkler ≥ 0.90 on the name keys |
//! | `family_name_variant` | +15 / +5 | same given name; family names of one length sharing a kanji, read the same (斉藤 / 齋藤), or +5 when a reading is missing |
//! | `different_given_name` | −40 | same family name, other given name |
//! | `different_name` | −40 | names in the same script that are not similar |
//! | `same_reading` | +15 | the readings are equal with katakana/hiragana and width folded |
//! | `similar_reading` | +10 | normalised Levenshtein ≥ 0.74 (a typo) |
//! | `different_reading` | −20 | both have readings that are not similar |
//! | `same_company` | +15 | the same company, or companies of the same corporate-form-free name |
//! | `same_company_domain` | +15 | two company records with the same domain (株式会社 X / ㈱X) |
//! | `same_company_name` | 0 | same company name, but the companies have other domains |
//! | `different_company` | −20 | both have companies, with other names and domains |
//!
//! **Clusters** join the pairs at or above the threshold (union-find).
//!
//! **Cost.** Blocking keeps 16 bytes per key per lead (about 8 keys), then only the leads
//! of candidate pairs are read again, by id, through a bounded cache. Measured on two cores
//! (release build, demo data): 100k leads in about 0.3 s, 1M leads in about 7–8 s.

mod bulk;
mod merge;
mod score;
mod similar;
mod similarity;

pub use bulk::{merge_clusters, BulkMergeReport, SkippedCluster, BULK_MIN_CONFIDENCE};
pub use merge::{
    mark_not_duplicate, merge, merges, merges_of, unmerge, MergeChoices, MergeReport, MergeSide,
    MergeSummary, UnmergeReport, MERGE_FIELDS,
};
pub use similar::{similar_to, SimilarLead, WARNING_MIN_CONFIDENCE};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::{Error, Result, Sodate};

/// The confidence at and above which a pair is reported by default.
pub const DEFAULT_MIN_CONFIDENCE: u8 = 50;
/// Blocks shared by more leads than this are skipped by default.
pub const DEFAULT_MAX_BLOCK_SIZE: u32 = 50;

/// What a scan reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct ScanOptions {
    /// Pairs below this confidence (0–100) are not reported nor clustered.
    pub min_confidence: u8,
    /// Blocks (leads sharing one key) larger than this are skipped.
    pub max_block_size: u32,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            min_confidence: DEFAULT_MIN_CONFIDENCE,
            max_block_size: DEFAULT_MAX_BLOCK_SIZE,
        }
    }
}

/// One piece of evidence about a pair: a stable `code` the UI translates with `params`,
/// the points it adds (negative: against), and an English `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    pub code: String,
    pub points: i32,
    pub params: BTreeMap<String, String>,
    pub message: String,
}

/// Two leads that may be the same person (`a` < `b`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CandidatePair {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub a: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub b: i64,
    /// Display names ("family given") of `a` and `b`.
    pub a_name: String,
    pub b_name: String,
    /// 0–100: the sum of the reasons' points, clamped.
    pub confidence: u8,
    pub reasons: Vec<Reason>,
}

/// Leads joined by pairs at or above the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    /// Lead ids, ascending.
    #[cfg_attr(feature = "specta", specta(type = Vec<specta_typescript::Number>))]
    pub members: Vec<i64>,
    pub max_confidence: u8,
    pub min_confidence: u8,
}

/// A block skipped for its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SkippedBlock {
    /// The block kind: `email`, `phone`, `name_company` … (see the module documentation).
    pub kind: String,
    /// How many leads share the key.
    pub leads: u32,
    /// One of them, to show the user which key it is.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub example_lead: i64,
}

/// The result of a scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    /// Pairs at or above the threshold, highest confidence first.
    pub pairs: Vec<CandidatePair>,
    /// Largest first.
    pub clusters: Vec<Cluster>,
    pub leads_scanned: u32,
    /// Candidate pairs scored (after blocking and `not_duplicates`).
    pub pairs_compared: u32,
    /// Blocks over the size limit, largest first (at most 100 listed).
    pub skipped_blocks: Vec<SkippedBlock>,
    /// How many blocks were skipped in all.
    pub skipped_block_count: u32,
    pub seconds: f64,
}

/// Phase of a running scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ScanPhase {
    Reading,
    Comparing,
    /// A bulk merge writing its backup.
    BackingUp,
    /// A bulk merge merging clusters (`done` of `total` clusters).
    Merging,
}

/// Progress of a running scan: `done` of `total` leads (reading) or pairs (comparing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ScanProgress {
    pub phase: ScanPhase,
    pub done: u32,
    pub total: u32,
}

/// Leads whose facts are kept in memory while comparing, before the unneeded are dropped.
const FACTS_CACHE: usize = 100_000;

const BLOCK_KINDS: [&str; 6] = [
    "email",
    "phone",
    "name_company",
    "reading_company",
    "name_domain",
    "email_local_domain",
];

/// FNV-1a over the block kind and the key's parts (separated by a 0xFF byte, which UTF-8
/// never contains).
fn block_hash(kind: usize, parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ kind as u64;
    for part in parts {
        for &byte in part.as_bytes().iter().chain(&[0xFF]) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The kind is kept in the low 3 bits of the stored hash, to name skipped blocks.
fn tagged(kind: usize, parts: &[&str]) -> u64 {
    (block_hash(kind, parts) & !7) | kind as u64
}

fn local_stem(email: &str) -> &str {
    email
        .split('@')
        .next()
        .unwrap_or("")
        .trim_end_matches(|c: char| c.is_ascii_digit())
}

fn email_domain(email: &str) -> &str {
    email.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

struct CompanyKeys {
    key: String,
    domain: String,
}

/// Candidate pairs (dense lead indexes) and the ids they index.
struct Blocking {
    ids: Vec<i64>,
    contacts: score::Contacts,
    pairs: Vec<(u32, u32)>,
    skipped: Vec<SkippedBlock>,
    skipped_count: u32,
}

fn check_cancel(cancel: &AtomicBool) -> Result<()> {
    if cancel.load(Ordering::Relaxed) {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

fn block(
    conn: &Connection,
    options: &ScanOptions,
    progress: &mut dyn FnMut(ScanProgress),
    cancel: &AtomicBool,
) -> Result<Blocking> {
    let total: u32 = conn.query_row("SELECT count(*) FROM leads", [], |r| r.get(0))?;
    let mut companies: HashMap<i64, CompanyKeys> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT id, name_key, domain FROM companies")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            companies.insert(
                r.get(0)?,
                CompanyKeys {
                    key: r.get(1)?,
                    domain: r.get(2)?,
                },
            );
        }
    }
    let mut contacts = score::Contacts::new();
    {
        let mut stmt = conn
            .prepare("SELECT lead_id, kind, value_key FROM lead_contacts WHERE value_key <> ''")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let kind: String = r.get(1)?;
            contacts
                .entry(r.get(0)?)
                .or_default()
                .push((kind == "email", r.get(2)?));
        }
    }

    let mut ids: Vec<i64> = Vec::with_capacity(total as usize);
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(total as usize * 8);
    let mut stmt = conn.prepare(
        "SELECT id, name_key, reading_key, email_key, phone_key, mobile_key, company_id
         FROM leads ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut keys: Vec<u64> = Vec::with_capacity(12);
    while let Some(r) = rows.next()? {
        let index = ids.len() as u32;
        if index.is_multiple_of(8192) {
            check_cancel(cancel)?;
            progress(ScanProgress {
                phase: ScanPhase::Reading,
                done: index,
                total,
            });
        }
        ids.push(r.get(0)?);
        let text =
            |i: usize| -> rusqlite::Result<&str> { Ok(r.get_ref(i)?.as_str().unwrap_or("")) };
        let (name, reading, email) = (text(1)?, text(2)?, text(3)?);
        let (phone, mobile) = (text(4)?, text(5)?);
        let company = r
            .get::<_, Option<i64>>(6)?
            .and_then(|id| companies.get(&id));
        keys.clear();
        if !email.is_empty() {
            keys.push(tagged(0, &[email]));
        }
        for p in [phone, mobile] {
            if !p.is_empty() {
                keys.push(tagged(1, &[p]));
            }
        }
        if let Some(extra) = contacts.get(&ids[index as usize]) {
            for (is_email, value) in extra {
                keys.push(tagged(usize::from(!is_email), &[value]));
            }
        }
        if let Some(c) = company {
            if !c.key.is_empty() {
                if !name.is_empty() {
                    keys.push(tagged(2, &[name, &c.key]));
                }
                if !reading.is_empty() {
                    keys.push(tagged(3, &[reading, &c.key]));
                }
            }
            if !c.domain.is_empty() {
                if !name.is_empty() {
                    keys.push(tagged(4, &[name, &c.domain]));
                }
                let stem = local_stem(email);
                if !stem.is_empty() {
                    keys.push(tagged(5, &[stem, &c.domain]));
                }
            }
        }
        let domain = email_domain(email);
        if !name.is_empty() && !domain.is_empty() {
            keys.push(tagged(4, &[name, domain]));
        }
        keys.sort_unstable();
        keys.dedup();
        entries.extend(keys.iter().map(|&k| (k, index)));
    }
    drop(rows);
    check_cancel(cancel)?;
    entries.sort_unstable();

    let max = options.max_block_size.max(2) as usize;
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut skipped: Vec<SkippedBlock> = Vec::new();
    let mut skipped_count = 0u32;
    for group in entries.chunk_by(|x, y| x.0 == y.0) {
        if group.len() < 2 {
            continue;
        }
        if group.len() > max {
            skipped_count += 1;
            skipped.push(SkippedBlock {
                kind: BLOCK_KINDS[(group[0].0 & 7) as usize].to_string(),
                leads: group.len() as u32,
                example_lead: ids[group[0].1 as usize],
            });
            continue;
        }
        for (i, x) in group.iter().enumerate() {
            for y in &group[i + 1..] {
                pairs.push((x.1, y.1));
            }
        }
    }
    drop(entries);
    pairs.sort_unstable();
    pairs.dedup();
    skipped.sort_by(|x, y| {
        y.leads
            .cmp(&x.leads)
            .then(x.example_lead.cmp(&y.example_lead))
    });
    skipped.truncate(100);
    Ok(Blocking {
        ids,
        contacts,
        pairs,
        skipped,
        skipped_count,
    })
}

fn not_duplicates(conn: &Connection) -> Result<HashSet<(i64, i64)>> {
    let mut stmt = conn.prepare("SELECT lead_a, lead_b FROM not_duplicates")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = HashSet::new();
    for row in rows {
        let (a, b) = row?;
        out.insert((a.min(b), a.max(b)));
    }
    Ok(out)
}

/// Union-find clusters of the pairs (all already at or above the threshold).
fn clusters(pairs: &[CandidatePair]) -> Vec<Cluster> {
    let mut parent: HashMap<i64, i64> = HashMap::new();
    fn find(parent: &mut HashMap<i64, i64>, x: i64) -> i64 {
        let mut root = x;
        while let Some(&p) = parent.get(&root) {
            if p == root {
                break;
            }
            root = p;
        }
        let mut node = x;
        while node != root {
            let next = parent.get(&node).copied().unwrap_or(root);
            parent.insert(node, root);
            node = next;
        }
        root
    }
    for p in pairs {
        parent.entry(p.a).or_insert(p.a);
        parent.entry(p.b).or_insert(p.b);
        let (ra, rb) = (find(&mut parent, p.a), find(&mut parent, p.b));
        if ra != rb {
            parent.insert(ra.max(rb), ra.min(rb));
        }
    }
    let mut groups: BTreeMap<i64, Cluster> = BTreeMap::new();
    for p in pairs {
        let root = find(&mut parent, p.a);
        let c = groups.entry(root).or_insert(Cluster {
            members: Vec::new(),
            max_confidence: 0,
            min_confidence: 100,
        });
        c.members.push(p.a);
        c.members.push(p.b);
        c.max_confidence = c.max_confidence.max(p.confidence);
        c.min_confidence = c.min_confidence.min(p.confidence);
    }
    let mut out: Vec<Cluster> = groups
        .into_values()
        .map(|mut c| {
            c.members.sort_unstable();
            c.members.dedup();
            c
        })
        .collect();
    out.sort_by(|x, y| {
        y.members
            .len()
            .cmp(&x.members.len())
            .then(y.max_confidence.cmp(&x.max_confidence))
            .then(x.members.cmp(&y.members))
    });
    out
}

/// Scans every lead for likely duplicates. `progress` is called every few thousand leads
/// or pairs; setting `cancel` stops the scan with [`Error::Cancelled`]. Reads only.
pub fn scan(
    db: &Sodate,
    options: &ScanOptions,
    progress: &mut dyn FnMut(ScanProgress),
    cancel: &AtomicBool,
) -> Result<ScanReport> {
    if options.min_confidence > 100 {
        return Err(Error::invalid(
            "minConfidence",
            "out_of_range",
            "the minimum confidence is between 0 and 100",
        ));
    }
    let started = Instant::now();
    db.read(|conn| {
        // One read transaction: both passes see the same data.
        let tx = conn.unchecked_transaction()?;
        let blocking = block(&tx, options, progress, cancel)?;
        let excluded = not_duplicates(&tx)?;
        let total = blocking.pairs.len() as u32;
        let mut facts: HashMap<u32, score::Facts> = HashMap::new();
        let mut pairs = Vec::new();
        let mut compared = 0u32;
        for (n, &(x, y)) in blocking.pairs.iter().enumerate() {
            if n.is_multiple_of(4096) {
                check_cancel(cancel)?;
                progress(ScanProgress {
                    phase: ScanPhase::Comparing,
                    done: n as u32,
                    total,
                });
            }
            let (a, b) = (blocking.ids[x as usize], blocking.ids[y as usize]);
            if excluded.contains(&(a.min(b), a.max(b))) {
                continue;
            }
            for (index, id) in [(x, a), (y, b)] {
                if let std::collections::hash_map::Entry::Vacant(e) = facts.entry(index) {
                    e.insert(score::load(&tx, id, Some(&blocking.contacts))?);
                }
            }
            let (Some(fa), Some(fb)) = (facts.get(&x), facts.get(&y)) else {
                continue;
            };
            compared += 1;
            let pair = score::compare(fa, fb);
            if pair.confidence >= options.min_confidence {
                pairs.push(pair);
            }
            // Pairs are sorted by their first index and the second is always larger, so
            // the facts of leads before `x` are never needed again. Past the limit the
            // cache is emptied (facts are reloaded when needed): memory stays bounded.
            if facts.len() > FACTS_CACHE {
                facts.retain(|&k, _| k >= x);
                if facts.len() > FACTS_CACHE / 2 {
                    facts.clear();
                }
            }
        }
        progress(ScanProgress {
            phase: ScanPhase::Comparing,
            done: total,
            total,
        });
        pairs.sort_by(|p, q| {
            q.confidence
                .cmp(&p.confidence)
                .then(p.a.cmp(&q.a))
                .then(p.b.cmp(&q.b))
        });
        let clusters = clusters(&pairs);
        Ok(ScanReport {
            pairs,
            clusters,
            leads_scanned: blocking.ids.len() as u32,
            pairs_compared: compared,
            skipped_blocks: blocking.skipped,
            skipped_block_count: blocking.skipped_count,
            seconds: started.elapsed().as_secs_f64(),
        })
    })
}

/// Compares two given leads (for the warning shown while a lead is created or edited),
/// whatever their confidence. Refuses a lead compared with itself.
pub fn compare(db: &Sodate, a: i64, b: i64) -> Result<CandidatePair> {
    if a == b {
        return Err(Error::invalid(
            "b",
            "same_lead",
            "a lead cannot be compared with itself",
        ));
    }
    db.read(|conn| {
        let fa = score::load(conn, a, None)?;
        let fb = score::load(conn, b, None)?;
        Ok(score::compare(&fa, &fb))
    })
}
