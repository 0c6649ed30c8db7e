//! The snapshot of the last full rescore, kept in the database (`score_snapshot`,
//! migration 0014) so that a new process (the app after a restart, the CLI) previews a model
//! from it instead of reading every lead and activity.
//!
//! It lives in the database file itself: encrypted with it, backed up and restored with it,
//! never describing another file. It is used only for the day it was computed and the
//! score generation it was written with, and is brought up to date through the changed-leads
//! journal like the in-memory one.
//!
//! Encoding (little-endian varints, ~30–40 bytes per lead for the default model): a magic
//! and format number; the day, journal position and generation; the model as JSON; each
//! rule's non-zero weights as (lead id delta, weight) pairs; the lead ids as deltas; the
//! stored scores; the fit value ids; the distinct fit values.

use rusqlite::{Connection, OptionalExtension};

use super::{changes, stride_of, LeadScore, Snapshot};
use crate::{Error, Result};

const MAGIC: &[u8; 8] = b"SODSNAP1";

impl Snapshot {
    /// The stored snapshot, when there is one for `today` that can be brought up to date.
    pub(crate) fn stored_up_to_date(conn: &Connection, today: i64) -> Result<Option<Self>> {
        let mut stmt = conn.prepare_cached("SELECT data FROM score_snapshot WHERE id = 1")?;
        let snap = stmt
            .query_row([], |r| {
                Ok(match r.get_ref(0)? {
                    rusqlite::types::ValueRef::Blob(data) => Snapshot::decode(conn, data, today),
                    _ => Err(damaged()),
                })
            })
            .optional()?;
        let Some(snap) = snap else {
            return Ok(None);
        };
        // A snapshot that cannot be read (another format, damaged) is read again in full.
        match snap {
            Ok(Some(snap)) => snap.brought_up_to_date(conn, today),
            Ok(None) | Err(_) => Ok(None),
        }
    }

    /// Stores this snapshot in place of the last one (inside the full rescore's transaction).
    pub(crate) fn store_in(&self, conn: &Connection) -> Result<()> {
        conn.execute(
            "INSERT INTO score_snapshot (id, data) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            [self.encode()?],
        )?;
        Ok(())
    }

    fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.ids.len() * 32 + 1024);
        out.extend_from_slice(MAGIC);
        put_i(&mut out, self.today);
        put_i(&mut out, self.position.seq());
        put_i(&mut out, self.generation);
        let model = serde_json::to_vec(&self.model)?;
        put_u(&mut out, model.len() as u64);
        out.extend_from_slice(&model);
        let slots = self.weights.len() / self.stride.max(1);
        put_u(&mut out, self.stride as u64);
        put_u(&mut out, slots as u64);
        for j in 0..slots {
            let rule = &self.weights[j * self.stride..(j + 1) * self.stride];
            put_u(&mut out, rule.iter().filter(|w| **w != 0).count() as u64);
            let mut last = 0usize;
            for (lead, w) in rule.iter().enumerate().filter(|(_, w)| **w != 0) {
                put_u(&mut out, (lead - last) as u64);
                put_u(&mut out, u64::from(*w));
                last = lead;
            }
        }
        put_u(&mut out, self.ids.len() as u64);
        let mut last = 0i64;
        for (id, s) in self.ids.iter().zip(&self.old) {
            put_i(&mut out, id - last);
            last = *id;
            put_i(&mut out, s.engagement);
            put_i(&mut out, s.fit);
            out.extend_from_slice(&s.grade);
            out.push(u8::from(s.is_mql));
        }
        put_u(&mut out, self.fields.len() as u64);
        for v in &self.value_ids {
            put_u(&mut out, u64::from(*v));
        }
        for values in &self.values {
            put_u(&mut out, values.len() as u64);
            for v in values {
                put_u(&mut out, v.len() as u64);
                out.extend_from_slice(v.as_bytes());
            }
        }
        Ok(out)
    }

    /// The snapshot in `data`, `None` when it is for another day than `today` (not decoded
    /// further); an error when it cannot be read.
    fn decode(conn: &Connection, data: &[u8], today: i64) -> Result<Option<Self>> {
        let mut r = Reader(data);
        if r.bytes(MAGIC.len())? != MAGIC {
            return Err(damaged());
        }
        if r.i()? != today {
            return Ok(None);
        }
        let position = changes::Position::at(r.i()?);
        let generation = r.i()?;
        let model_len = r.len()?;
        let model: super::ScoringModel = serde_json::from_slice(r.bytes(model_len)?)?;
        let compiled = super::super::compile_in(conn, model)?;
        let stride = r.len()?;
        let slots = r.len()?;
        if slots != compiled.slots() || stride == 0 || stride > 1 << 40 {
            return Err(damaged());
        }
        let mut weights = vec![0u32; stride * slots];
        for j in 0..slots {
            let n = r.len()?;
            let mut lead = 0usize;
            for _ in 0..n {
                lead = lead.checked_add(r.len()?).ok_or_else(damaged)?;
                let w = u32::try_from(r.u()?).map_err(|_| damaged())?;
                if lead >= stride {
                    return Err(damaged());
                }
                weights[j * stride + lead] = w;
            }
        }
        let leads = r.len()?;
        let mut ids = Vec::with_capacity(leads.min(data.len()));
        let mut old = Vec::with_capacity(leads.min(data.len()));
        let mut last = 0i64;
        for _ in 0..leads {
            last += r.i()?;
            ids.push(last);
            let engagement = r.i()?;
            let fit = r.i()?;
            let g = r.bytes(3)?;
            old.push(LeadScore {
                engagement,
                fit,
                grade: [g[0], g[1]],
                is_mql: g[2] != 0,
            });
        }
        let n_fields = r.len()?;
        if n_fields != compiled.fields.len() {
            return Err(damaged());
        }
        let mut value_ids = Vec::with_capacity((leads * n_fields).min(data.len()));
        for _ in 0..leads * n_fields {
            value_ids.push(u32::try_from(r.u()?).map_err(|_| damaged())?);
        }
        let mut values = Vec::with_capacity(n_fields);
        for k in 0..n_fields {
            let n = r.len()?;
            let mut field = Vec::with_capacity(n.min(data.len()));
            for _ in 0..n {
                let len = r.len()?;
                let text = std::str::from_utf8(r.bytes(len)?).map_err(|_| damaged())?;
                field.push(text.to_string());
            }
            if value_ids
                .iter()
                .skip(k)
                .step_by(n_fields)
                .any(|v| *v as usize >= field.len())
            {
                return Err(damaged());
            }
            values.push(field);
        }
        if !r.0.is_empty() || stride < stride_of(ids.last().copied().unwrap_or(0)) {
            return Err(damaged());
        }
        Ok(Some(Snapshot {
            today,
            stamp: None,
            position,
            generation,
            matchers: super::matchers(&compiled),
            decay: super::decay_key(&compiled),
            fields: compiled.fields.clone(),
            model: compiled.model,
            weights,
            stride,
            ids,
            old,
            value_ids,
            values,
        }))
    }
}

fn damaged() -> Error {
    Error::Conflict("the stored score snapshot cannot be read".into())
}

fn put_u(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_i(out: &mut Vec<u8>, v: i64) {
    put_u(out, ((v << 1) ^ (v >> 63)) as u64);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.0.split_first().ok_or_else(damaged)?;
            self.0 = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(damaged())
    }

    fn i(&mut self) -> Result<i64> {
        let u = self.u()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    /// A count or length (bounded by what is left, so a damaged one cannot allocate much).
    fn len(&mut self) -> Result<usize> {
        usize::try_from(self.u()?).map_err(|_| damaged())
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.0.len() {
            return Err(damaged());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
}
