//! Scheme B's message for a raw form body, `k1v1k2v2…` over
//! `parse_qsl(body, keep_blank_values=True)` stably sorted by name, built for hashing
//! without a list of decoded strings and without copying the body.
//!
//! * One pass over the body, sixteen bytes at a time (SIMD through `wide`, safe code),
//!   finds the fields, their first `=` and whether a part holds `+` or `%`. A part
//!   without them is a range of the body; a part with them is decoded (as
//!   [`crate::form::parse_qsl`] decodes it) into one buffer shared by all such parts.
//! * A run of identical fields (`a=&a=&…`; empty fields `&&&…` likewise) is recognised
//!   by comparing the bytes after a field with the field and its `&`, and handed over
//!   once with a count. Identical pairs in a row are staged by copying the staged copies,
//!   so `a=&` bodies cost little per field.
//! * While at most 512 distinct names have occurred, the parse groups the
//!   fields by name as it finds them (`Groups`): a value goes to its name's list (an
//!   empty value after an empty one adds to its count), and sorting the few names orders
//!   the message. No record is made per field, so the usual forms (a few names repeated)
//!   need memory in proportion to their distinct values, not their fields.
//! * One name too many (or a table probed past its budget, by names made to collide in
//!   its fixed hash) hands the fields found so far to `Records`, one 32-byte record
//!   per field carrying its name's first 16 bytes as a big-endian integer (its head), and
//!   the parse goes on from that field. The order then comes from a stable sort of the
//!   records by head (glidesort), large forms first split into ranges of heads that fit
//!   in the cache; names are read only where heads tie.
//! * Hashing feeds long parts as they are and copies short ones into a staging buffer of
//!   at most [`STAGE`] bytes, so the HMAC sees a few large updates, not two per field; a
//!   record's short name is copied from its head, not read again from the body.
//!
//! The tests check the message against [`crate::form::parse_qsl`],
//! [`crate::form::sort_for_signing`] and a plain join, on every string of up to four
//! symbols over the characters that matter and on long generated forms.
#![forbid(unsafe_code)]

use std::cmp::Ordering;
use std::mem::MaybeUninit;

use wide::u8x16;

/// Largest body this representation indexes (ranges are `u32`, one bit marks the buffer).
pub const MAX_BODY: usize = (u32::MAX >> 1) as usize;

/// Short parts are copied into a staging buffer of at most this size before hashing.
pub const STAGE: usize = 64 * 1024;

/// Parts at least this long are fed to the HMAC directly.
const DIRECT: usize = 512;

/// Forms with fewer fields are sorted directly.
const MIN_GROUPED: usize = 64;

/// At most this many distinct names are grouped (half the table's slots).
const MAX_GROUPS: usize = 512;

/// Grouping gives up when its table has been probed more than this many times per field
/// (plus [`MAX_GROUPS`]): names chosen to collide would otherwise cost a probe per name
/// they share a slot with, for every field.
const PROBES: usize = 4;

const SLOT_BITS: u32 = 10;
const SLOTS: usize = 1 << SLOT_BITS;

/// Marks a range of the decoded buffer rather than of the body.
const DECODED: u32 = 1 << 31;

/// Runs of identical fields whose text plus `&` is at most this long are detected while
/// parsing.
const MAX_RUN: usize = 32;

/// Runs are looked for in bodies whose fields average at most this many bytes (with
/// their `&`): there the work per field outweighs the hash.
const SHORT_FIELDS: usize = 8;

/// A part of a field: `start` (with [`DECODED`] for the decoded buffer) and length.
#[derive(Clone, Copy, Default)]
struct Part {
    start: u32,
    len: u32,
}

/// One field: its name's first 16 bytes (zero-padded, as a big-endian integer: the sort
/// key) and its two parts.
#[derive(Clone, Copy, Default)]
struct Field {
    head: u128,
    name: Part,
    value: Part,
}

/// A value and how many times it occurs in a row within its name's group.
type Entry = (Part, u32);

/// The message of a form body, in signing order.
pub struct FormMessage<'a> {
    body: &'a [u8],
    decoded: Vec<u8>,
    /// The fields in signing order from `first` on, when the form was not grouped.
    fields: Vec<Field>,
    first: usize,
    /// Set instead when grouped: each distinct name with its values, in signing order.
    groups: Vec<Group>,
    len: usize,
}

/// Where the parse puts the fields it finds.
trait Sink {
    /// The field `name=value` (`head` is the name's), `times` times in a row; false,
    /// recording nothing, stops the parse.
    fn push(&mut self, texts: Texts<'_>, head: u128, name: Part, value: Part, times: u32) -> bool;
}

/// The body and the decoded buffer, which parts point into.
#[derive(Clone, Copy)]
struct Texts<'t> {
    body: &'t [u8],
    decoded: &'t [u8],
}

impl<'t> Texts<'t> {
    fn bytes(self, part: Part) -> &'t [u8] {
        part_bytes(self.body, self.decoded, part)
    }
}

/// Fields as records in submission order, for the sort; `counts` stays empty until a
/// field occurs more than once in a row.
#[derive(Default)]
struct Records {
    fields: Vec<Field>,
    counts: Vec<u32>,
}

impl Sink for Records {
    fn push(&mut self, _: Texts<'_>, head: u128, name: Part, value: Part, times: u32) -> bool {
        self.push_record(Field { head, name, value }, times);
        true
    }
}

impl Records {
    /// Every field, a field occurring `n` times in a row `n` times: the sort sees each.
    fn into_fields(self) -> Vec<Field> {
        if self.counts.is_empty() {
            return self.fields;
        }
        let mut counts = self.counts;
        counts.resize(self.fields.len(), 1);
        let total = counts.iter().map(|&count| count as usize).sum();
        let mut fields = Vec::with_capacity(record_capacity(total));
        for (&field, &count) in self.fields.iter().zip(&counts) {
            fields.extend(std::iter::repeat_n(field, count as usize));
        }
        fields
    }

    fn push_record(&mut self, field: Field, times: u32) {
        if times > 1 {
            self.counts.resize(self.fields.len(), 1);
        }
        if times > 1 || !self.counts.is_empty() {
            self.counts.push(times);
        }
        self.fields.push(field);
    }
}

/// Fields grouped by name as they are parsed, while at most [`MAX_GROUPS`] distinct names
/// occur: each name is compared with the previous field's and with the one that followed
/// that name last time (forms repeat their names in the same order), else looked up in a
/// small hash table. Its value goes to its group's list (the first one kept beside the
/// name, so a group of one value allocates nothing); an empty value after the group's
/// last value, also empty, adds to that entry's count. Sorting the distinct names then
/// orders the message, each group's values staying in submission order as a stable sort
/// keeps them.
#[derive(Default)]
struct Groups {
    slots: Vec<u32>,
    names: Vec<Field>,
    /// Per group: its first value and the others.
    values: Vec<(Entry, Vec<Entry>)>,
    /// Per group: the group of the field that followed its last field.
    follower: Vec<usize>,
    previous: usize,
    /// Table slots looked at so far, against [`PROBES`] per field pushed.
    probes: usize,
    fields: usize,
}

/// A distinct name of a grouped form with its first value and the others.
type Group = (Part, Entry, Vec<Entry>);

impl Groups {
    /// Groups for a form of at most `fields` fields.
    fn new(fields: usize) -> Self {
        let names = fields.min(MAX_GROUPS);
        Groups {
            slots: vec![u32::MAX; SLOTS],
            names: Vec::with_capacity(names),
            values: Vec::with_capacity(names),
            follower: Vec::with_capacity(names),
            previous: usize::MAX,
            probes: 0,
            fields: 0,
        }
    }

    /// The distinct names in signing order, each with its values.
    fn sorted(self, texts: Texts<'_>) -> Vec<Group> {
        let names = &self.names;
        let mut ranked: Vec<u32> = (0..names.len() as u32).collect();
        ranked.sort_unstable_by(|&a, &b| compare_names(texts, &names[a as usize], &names[b as usize]));
        let mut values = self.values;
        ranked
            .iter()
            .map(|&g| {
                let (first, rest) = std::mem::take(&mut values[g as usize]);
                (names[g as usize].name, first, rest)
            })
            .collect()
    }

    /// The fields so far as records for the sort, group after group. That is another
    /// order than they were submitted in, which a stable sort by name cannot tell.
    fn into_records(self, capacity: usize) -> Records {
        let mut records = Records {
            fields: Vec::with_capacity(capacity),
            counts: Vec::new(),
        };
        for (name, (first, rest)) in self.names.iter().zip(&self.values) {
            for &(value, count) in std::iter::once(first).chain(rest) {
                records.push_record(Field { value, ..*name }, count);
            }
        }
        records
    }
}

impl Sink for Groups {
    /// Refuses the field whose name would be one too many, or whose lookup would take
    /// the table past its budget of probes (names made to collide in its fixed hash).
    #[inline(always)]
    fn push(&mut self, texts: Texts<'_>, head: u128, name: Part, value: Part, times: u32) -> bool {
        let same = |other: &Field| {
            other.head == head
                && other.name.len == name.len
                && (name.len <= 16 || texts.bytes(other.name)[16..] == texts.bytes(name)[16..])
        };
        let previous = self.previous;
        let mut group = None;
        if let Some(last) = self.names.get(previous) {
            if same(last) {
                group = Some(previous);
            } else if self.names.get(self.follower[previous]).is_some_and(same) {
                group = Some(self.follower[previous]);
            }
        }
        let g = match group {
            Some(g) => g,
            None => {
                let mut slot = slot(texts, head, name);
                loop {
                    self.probes += 1;
                    if self.probes > PROBES * (self.fields + 1) + MAX_GROUPS {
                        return false;
                    }
                    let g = self.slots[slot] as usize;
                    if g == u32::MAX as usize {
                        if self.names.len() == MAX_GROUPS {
                            return false;
                        }
                        self.slots[slot] = self.names.len() as u32;
                        self.names.push(Field { head, name, value });
                        self.values.push(((value, times), Vec::new()));
                        self.follower.push(usize::MAX);
                        self.follow(self.names.len() - 1);
                        self.fields += 1;
                        return true;
                    }
                    if same(&self.names[g]) {
                        break g;
                    }
                    slot = (slot + 1) % SLOTS;
                }
            }
        };
        self.follow(g);
        self.fields += 1;
        let (first, rest) = &mut self.values[g];
        match rest.last_mut().unwrap_or(first) {
            (last, count) if last.len == 0 && value.len == 0 => *count += times,
            _ => rest.push((value, times)),
        }
        true
    }
}

impl Groups {
    /// Notes that group `g` follows the previous field's.
    fn follow(&mut self, g: usize) {
        if let Some(follower) = self.follower.get_mut(self.previous) {
            *follower = g;
        }
        self.previous = g;
    }
}

/// A name's slot in [`Groups`]' table: a hash of its head, length and last 8 bytes.
fn slot(texts: Texts<'_>, head: u128, name: Part) -> usize {
    let mut mixed = (head as u64) ^ ((head >> 64) as u64).rotate_left(29);
    mixed ^= u64::from(name.len);
    if name.len > 16 {
        let bytes = texts.bytes(name);
        let last = &bytes[bytes.len() - 8..];
        mixed ^= u64::from_le_bytes(last.try_into().unwrap_or_default()).rotate_left(47);
    }
    (mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SLOT_BITS)) as usize
}

/// The body is scanned this many bytes at a time, one bit per byte.
const BLOCK: usize = 64;

/// One bit per byte of `block` (bit `i` for byte `i`) that is `&`, `=`, `+` or `%`,
/// sixteen bytes at a time (SSE2 on x86-64, NEON on ARM, plain code elsewhere).
fn special_bytes(block: &[u8; BLOCK]) -> u64 {
    let mut mask = 0;
    for (i, lane) in block.chunks_exact(16).enumerate() {
        let v = u8x16::new(lane.try_into().unwrap_or_default());
        let special = v.cmp_eq(u8x16::splat(b'&'))
            | v.cmp_eq(u8x16::splat(b'='))
            | v.cmp_eq(u8x16::splat(b'+'))
            | v.cmp_eq(u8x16::splat(b'%'));
        mask |= u64::from(special.move_mask() as u16) << (16 * i);
    }
    mask
}

/// [`special_bytes`] of the block at `base` (the last, shorter one padded with zero
/// bytes, never special).
fn specials_at(bytes: &[u8], base: usize) -> u64 {
    match bytes.get(base..base + BLOCK) {
        Some(block) => special_bytes(block.try_into().unwrap_or(&[0; BLOCK])),
        None => {
            let mut block = [0; BLOCK];
            let tail = &bytes[base..];
            block[..tail.len()].copy_from_slice(tail);
            special_bytes(&block)
        }
    }
}

/// How many `&` `bytes` holds (fields are at most one more): per lane of sixteen bytes,
/// up to 255 blocks at a time, then summed.
fn count_ampersands(bytes: &[u8]) -> usize {
    let mut lanes = bytes.chunks_exact(16);
    let mut total = 0;
    loop {
        let mut counts = u8x16::ZERO;
        let mut taken = 0;
        for lane in lanes.by_ref().take(255) {
            // A match is 0xff, so subtracting it adds one to that byte's count.
            counts -= u8x16::new(lane.try_into().unwrap_or_default()).cmp_eq(u8x16::splat(b'&'));
            taken += 1;
        }
        total += counts
            .to_array()
            .iter()
            .map(|&count| usize::from(count))
            .sum::<usize>();
        if taken < 255 {
            break;
        }
    }
    total + lanes.remainder().iter().filter(|&&b| b == b'&').count()
}

impl<'a> FormMessage<'a> {
    /// Parses and orders `body`'s fields; `None` when the body is longer than [`MAX_BODY`].
    pub fn new(body: &'a str) -> Option<Self> {
        if body.len() > MAX_BODY {
            return None;
        }
        let mut message = FormMessage {
            body: body.as_bytes(),
            decoded: Vec::new(),
            fields: Vec::new(),
            first: 0,
            groups: Vec::new(),
            len: 0,
        };
        let ampersands = count_ampersands(message.body);
        // Runs are looked for where fields average at most SHORT_FIELDS bytes (with their
        // `&`): there the work per field outweighs the hash.
        let runs = ampersands.saturating_mul(SHORT_FIELDS) >= body.len();
        let mut from = 0;
        let mut records = if ampersands >= MIN_GROUPED {
            let mut groups = Groups::new(ampersands + 1);
            let Some(stop) = message.parse(&mut groups, runs, 0) else {
                message.groups = groups.sorted(message.texts());
                return Some(message);
            };
            // Too many names, or names that collide: records for the sort from the
            // field refused on.
            from = stop;
            groups.into_records(record_capacity(ampersands + 1))
        } else {
            Records {
                fields: Vec::with_capacity(record_capacity(ampersands + 1)),
                counts: Vec::new(),
            }
        };
        message.parse(&mut records, runs, from);
        message.fields = records.into_fields();
        message.sort_by_names();
        Some(message)
    }

    fn texts(&self) -> Texts<'_> {
        Texts {
            body: self.body,
            decoded: &self.decoded,
        }
    }

    /// Finds the fields from `from` (a field's start), a block of [`BLOCK`] bytes at a
    /// time, and hands them to `sink`; where the sink refused one, that field's start.
    /// With `runs`, the bytes after each field are compared with the field and its `&`: a
    /// run of identical fields (`a=&a=&…`, `&&&…`) is skipped and handed over once with
    /// its count instead of parsed again.
    fn parse(&mut self, sink: &mut impl Sink, runs: bool, from: usize) -> Option<usize> {
        if !runs {
            return self.parse_plain(sink, from);
        }
        let bytes = self.body;
        let n = bytes.len();
        let (mut start, mut eq, mut escaped) = (from, None, [false; 2]);
        let mut base = from - from % BLOCK;
        while base < n {
            let mut mask = specials_at(bytes, base);
            if start > base {
                // After a run, or where the parse starts: nothing before the next field.
                mask &= u64::MAX << (start - base);
            }
            let mut next = base + BLOCK;
            while mask != 0 {
                let i = base + mask.trailing_zeros() as usize;
                mask &= mask - 1;
                match bytes[i] {
                    b'&' => {
                        let (resume, repeats) = self.run_after(start, i);
                        if !self.push_field(sink, start, i, eq, escaped, 1 + repeats) {
                            return Some(start);
                        }
                        (start, eq, escaped) = (resume, None, [false; 2]);
                        if resume > i + 1 {
                            if resume >= base + BLOCK {
                                next = resume - resume % BLOCK;
                                break;
                            }
                            mask &= u64::MAX << (resume - base);
                        }
                    }
                    b'=' => {
                        if eq.is_none() {
                            eq = Some(i);
                        }
                    }
                    _ => escaped[usize::from(eq.is_some())] = true,
                }
            }
            base = next;
        }
        (!self.push_field(sink, start, n, eq, escaped, 1)).then_some(start)
    }

    /// [`parse`](Self::parse) without looking for runs.
    fn parse_plain(&mut self, sink: &mut impl Sink, from: usize) -> Option<usize> {
        let bytes = self.body;
        let n = bytes.len();
        let (mut start, mut eq, mut escaped) = (from, None, [false; 2]);
        let mut base = from - from % BLOCK;
        // Nothing before where the parse starts.
        let mut keep = u64::MAX << (from - base);
        while base < n {
            let mut mask = keep & specials_at(bytes, base);
            keep = u64::MAX;
            while mask != 0 {
                let i = base + mask.trailing_zeros() as usize;
                mask &= mask - 1;
                match bytes[i] {
                    b'&' => {
                        if !self.push_field(sink, start, i, eq, escaped, 1) {
                            return Some(start);
                        }
                        (start, eq, escaped) = (i + 1, None, [false; 2]);
                    }
                    b'=' => {
                        if eq.is_none() {
                            eq = Some(i);
                        }
                    }
                    _ => escaped[usize::from(eq.is_some())] = true,
                }
            }
            base += BLOCK;
        }
        (!self.push_field(sink, start, n, eq, escaped, 1)).then_some(start)
    }

    /// For the field `body[start..amp]` ended by the `&` at `amp`: how many times the
    /// bytes after it repeat it and its `&`, and where the next field starts.
    #[inline(always)]
    fn run_after(&self, start: usize, amp: usize) -> (usize, u32) {
        let bytes = self.body;
        let len = amp + 1 - start;
        let mut resume = amp + 1;
        if len > MAX_RUN || bytes.get(resume) != Some(&bytes[start]) {
            return (resume, 0);
        }
        let pattern = &bytes[start..=amp];
        let mut repeats = 0;
        if len <= 8 {
            // Short patterns: eight bytes at a time, masked to the pattern's length.
            let mask = u64::MAX >> (64 - 8 * len);
            let word = |at: usize| {
                let window = bytes.get(at..at + 8)?;
                Some(u64::from_le_bytes(window.try_into().unwrap_or_default()) & mask)
            };
            if let Some(expected) = word(start) {
                while word(resume) == Some(expected) {
                    (resume, repeats) = (resume + len, repeats + 1);
                }
            }
        }
        // Longer patterns, and short ones in the body's last eight bytes.
        while (len > 8 || resume + 8 > bytes.len()) && bytes.get(resume..resume + len) == Some(pattern) {
            (resume, repeats) = (resume + len, repeats + 1);
        }
        (resume, repeats)
    }

    /// Sorts the fields by name, stably and in place (no gather through random reads):
    /// by heads, then, within the runs of equal heads that hold names of different
    /// lengths or longer than a head, by whole names.
    fn sort_by_names(&mut self) {
        let texts = Texts {
            body: self.body,
            decoded: &self.decoded,
        };
        self.first = sort_heads(&mut self.fields);
        let fields = &mut self.fields[self.first..];
        let mut i = 0;
        while i + 1 < fields.len() {
            let head = fields[i].head;
            if fields[i + 1].head != head {
                i += 1;
                continue;
            }
            let run = &mut fields[i..];
            let len = 2 + run[2..].iter().take_while(|field| field.head == head).count();
            let run = &mut run[..len];
            let first = run[0].name.len;
            // Equal heads of names of one length, at most a head's: the same name.
            if run
                .iter()
                .any(|field| field.name.len != first || field.name.len > 16)
            {
                run.sort_by(|a, b| compare_names(texts, a, b));
            }
            i += len;
        }
    }

    /// `body[start..end]` as a field occurring `times` times in a row, handed to `sink`
    /// (nothing when it is empty); false when the sink refused it, which leaves the
    /// message as it was.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn push_field(
        &mut self,
        sink: &mut impl Sink,
        start: usize,
        end: usize,
        eq: Option<usize>,
        escaped: [bool; 2],
        times: u32,
    ) -> bool {
        if start == end {
            return true;
        }
        let mark = self.decoded.len();
        let (name_end, value_start) = eq.map_or((end, end), |i| (i, i + 1));
        let name = self.part(start, name_end, escaped[0]);
        let value = self.part(value_start, end, escaped[1]);
        let (buffer, at) = self.located(name);
        let head = head(buffer, at, name.len as usize);
        if !sink.push(self.texts(), head, name, value, times) {
            self.decoded.truncate(mark);
            return false;
        }
        self.len += times as usize * (name.len as usize + value.len as usize);
        true
    }

    /// `body[start..end]` as it is, or decoded into the shared buffer.
    #[inline(always)]
    fn part(&mut self, start: usize, end: usize, escaped: bool) -> Part {
        // Both fit in 31 bits: the body is at most MAX_BODY long, and decoding never
        // lengthens a part (an escape or an invalid byte is at least as long as U+FFFD).
        if !escaped {
            return Part {
                start: start as u32,
                len: (end - start) as u32,
            };
        }
        let at = self.decoded.len();
        decode_into(&self.body[start..end], &mut self.decoded);
        Part {
            start: at as u32 | DECODED,
            len: (self.decoded.len() - at) as u32,
        }
    }

    fn located(&self, part: Part) -> (&[u8], usize) {
        locate(self.body, &self.decoded, part)
    }

    /// The records in signing order.
    fn records(&self) -> &[Field] {
        &self.fields[self.first..]
    }

    /// The message's length in bytes (without the URL).
    pub fn len(&self) -> usize {
        self.len
    }

    /// No fields at all (a message of fields that are all empty is not empty).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.records().is_empty()
    }

    /// Calls `each` with every grouped field's name and value and how many times the pair
    /// occurs in a row, in signing order (the records, if any, come after them).
    fn for_each_grouped(&self, mut each: impl FnMut(Part, Part, u32)) {
        for &(name, (value, count), ref rest) in &self.groups {
            each(name, value, count);
            for &(value, count) in rest {
                each(name, value, count);
            }
        }
    }

    /// Writes `part` at `out[at..]` and returns where it ends; a part of at most
    /// [`WINDOW`] bytes is copied as a whole window where its buffer has one (`out` has
    /// [`WINDOW`] bytes of room beyond the part, overwritten next or never used). A
    /// record's name of at most [`WINDOW`] bytes is its `head`, not read from the body.
    #[inline(always)]
    fn put(&self, out: &mut [u8], at: usize, part: Part, head: Option<u128>) -> usize {
        let len = part.len as usize;
        if len <= WINDOW {
            if let Some(head) = head {
                out[at..at + WINDOW].copy_from_slice(&head.to_be_bytes());
                return at + len;
            }
        }
        let (buffer, start) = self.located(part);
        match buffer.get(start..start + WINDOW) {
            Some(window) if len <= WINDOW => out[at..at + WINDOW].copy_from_slice(window),
            _ => out[at..at + len].copy_from_slice(&buffer[start..start + len]),
        }
        at + len
    }

    /// Appends the whole message to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let base = out.len();
        out.resize(base + self.len + WINDOW, 0);
        let mut at = base;
        self.for_each_grouped(|name, value, count| {
            let from = at;
            at = self.put(out, at, name, None);
            at = self.put(out, at, value, None);
            let pair = at - from;
            // The pair repeated by doubling what is already written.
            let (mut have, mut left) = (1, count as usize - 1);
            while left > 0 && pair > 0 {
                let copies = have.min(left);
                out.copy_within(from..from + copies * pair, at);
                at += copies * pair;
                (have, left) = (have + copies, left - copies);
            }
        });
        for field in self.records() {
            at = self.put(out, at, field.name, Some(field.head));
            at = self.put(out, at, field.value, None);
        }
        out.truncate(at);
    }

    /// Feeds the message to `sink` in order: long parts as they are, runs of short parts
    /// through `stage` (resized to at most [`STAGE`] bytes on first use).
    pub fn feed(&self, stage: &mut Vec<u8>, sink: &mut dyn FnMut(&[u8])) {
        let mut filled = 0;
        self.for_each_grouped(|name, value, count| {
            if count == 1 {
                self.feed_pair(stage, &mut filled, sink, [name, value]);
                return;
            }
            let pair = (name.len + value.len) as usize;
            if pair > 0 && pair < DIRECT {
                self.feed_repeated(stage, &mut filled, sink, [name, value], count as usize);
                return;
            }
            for _ in 0..count {
                self.feed_pair(stage, &mut filled, sink, [name, value]);
            }
        });
        for field in self.records() {
            let pair = (field.name.len + field.value.len) as usize;
            if pair >= DIRECT {
                self.feed_pair(stage, &mut filled, sink, [field.name, field.value]);
                continue;
            }
            // Staged whole (pair < DIRECT <= the stage's room, as pair <= self.len).
            if stage.is_empty() {
                stage.resize(self.len.min(STAGE) + WINDOW, 0);
            }
            if filled + pair > stage.len() - WINDOW {
                sink(&stage[..filled]);
                filled = 0;
            }
            let at = self.put(stage, filled, field.name, Some(field.head));
            filled = self.put(stage, at, field.value, None);
        }
        if filled > 0 {
            sink(&stage[..filled]);
        }
    }

    /// A short pair `count` times: one copy staged, then copies of the staged copies.
    fn feed_repeated(
        &self,
        stage: &mut Vec<u8>,
        filled: &mut usize,
        sink: &mut dyn FnMut(&[u8]),
        pair: [Part; 2],
        count: usize,
    ) {
        let len = (pair[0].len + pair[1].len) as usize;
        if stage.is_empty() {
            stage.resize(self.len.min(STAGE) + WINDOW, 0);
        }
        let mut left = count;
        while left > 0 {
            // The copy staged whole (len < DIRECT <= the stage's room, as len <= self.len).
            if *filled + len > stage.len() - WINDOW {
                sink(&stage[..*filled]);
                *filled = 0;
            }
            self.feed_pair(stage, filled, sink, pair);
            left -= 1;
            let (from, mut have) = (*filled - len, 1);
            loop {
                let room = (stage.len() - WINDOW - *filled) / len;
                let copies = have.min(left).min(room);
                if copies == 0 {
                    break;
                }
                stage.copy_within(from..from + copies * len, *filled);
                *filled += copies * len;
                (have, left) = (have + copies, left - copies);
            }
        }
    }

    /// Stages (or, when long, feeds) a name and a value.
    #[inline(always)]
    fn feed_pair(
        &self,
        stage: &mut Vec<u8>,
        filled: &mut usize,
        sink: &mut dyn FnMut(&[u8]),
        pair: [Part; 2],
    ) {
        for part in pair {
            let len = part.len as usize;
            if len == 0 {
                continue;
            }
            let (buffer, start) = self.located(part);
            if len >= DIRECT {
                if *filled > 0 {
                    sink(&stage[..*filled]);
                    *filled = 0;
                }
                sink(&buffer[start..start + len]);
                continue;
            }
            if stage.is_empty() {
                stage.resize(self.len.min(STAGE) + WINDOW, 0);
            }
            if *filled + len > stage.len() - WINDOW {
                sink(&stage[..*filled]);
                *filled = 0;
            }
            // Short parts are copied 16 bytes at a time where the buffer has them (the
            // bytes beyond the part are overwritten next or never fed).
            let at = *filled;
            match buffer.get(start..start + WINDOW) {
                Some(window) if len <= WINDOW => {
                    stage[at..at + WINDOW].copy_from_slice(window);
                }
                _ => stage[at..at + len].copy_from_slice(&buffer[start..start + len]),
            }
            *filled += len;
        }
    }
}

/// The fixed-size copy of short parts.
const WINDOW: usize = 16;

fn part_bytes<'b>(body: &'b [u8], decoded: &'b [u8], part: Part) -> &'b [u8] {
    let (buffer, start) = locate(body, decoded, part);
    &buffer[start..start + part.len as usize]
}

/// The buffer holding `part` and where in it the part starts.
fn locate<'b>(body: &'b [u8], decoded: &'b [u8], part: Part) -> (&'b [u8], usize) {
    if part.start & DECODED == 0 {
        (body, part.start as usize)
    } else {
        (decoded, (part.start & !DECODED) as usize)
    }
}

/// A name's first 16 bytes, zero-padded, as a big-endian integer: comparing heads
/// compares names as far as they go (UTF-8 byte order is code-point order). `buffer`
/// holds the name at `start`; the 16 bytes from there are read at once when it has them.
fn head(buffer: &[u8], start: usize, len: usize) -> u128 {
    if let Some(window) = buffer.get(start..start + 16) {
        let value = u128::from_be_bytes(window.try_into().unwrap_or_default());
        return match len {
            0 => 0,
            1..16 => value & !(u128::MAX >> (8 * len)),
            _ => value,
        };
    }
    let mut bytes = [0u8; 16];
    let n = len.min(16);
    bytes[..n].copy_from_slice(&buffer[start..start + n]);
    u128::from_be_bytes(bytes)
}

/// Forms with at least this many records are split into [`BUCKETS`] ranges of heads
/// before sorting.
const SPLIT: usize = 4096;

/// Forms of at most this many records are sorted with a scratch buffer on the stack
/// (glidesort's, 4 KiB: half as many records), without allocating.
const STACK_SORTED: usize = 256;

/// Ranges of heads a large form is split into.
const BUCKETS: usize = 16;

/// Records sampled to choose the ranges.
const SAMPLE: usize = 1024;

/// Sorts fields by head, stably. A large form is first split, stably, into ranges of
/// heads chosen from a sample, then each range is sorted: ranges fit in the cache, and
/// names in interleaved sequences (`Field1`, `Status1`, `Field2`, …), ordered within
/// each, come apart into runs the sort finds. That takes a second array of records
/// while splitting.
fn sort_heads(fields: &mut Vec<Field>) -> usize {
    let n = fields.len();
    if n <= STACK_SORTED {
        glidesort::sort_by_key(fields, |field| field.head);
        return 0;
    }
    if n < SPLIT {
        let mut scratch = vec![MaybeUninit::uninit(); n / 4];
        glidesort::sort_with_buffer_by_key(fields, &mut scratch, |field| field.head);
        return 0;
    }
    let mut sample: Vec<u128> = fields
        .iter()
        .step_by(n / SAMPLE)
        .map(|field| field.head)
        .collect();
    sample.sort_unstable();
    let splitters: [u128; BUCKETS - 1] = std::array::from_fn(|i| sample[(i + 1) * sample.len() / BUCKETS]);
    // A field's range: how many splitters its head is at or past, found by halving
    // without branches (the splitters are sorted).
    let mut counts = [0usize; BUCKETS];
    let ranges: Vec<u8> = fields
        .iter()
        .map(|field| {
            let (mut range, mut step) = (0, BUCKETS / 2);
            while step > 0 {
                range += step * usize::from(field.head >= splitters[range + step - 1]);
                step /= 2;
            }
            counts[range] += 1;
            range as u8
        })
        .collect();
    let mut starts = [0; BUCKETS];
    for range in 1..BUCKETS {
        starts[range] = starts[range - 1] + counts[range - 1];
    }
    // Split into the second half of the same allocation (reserved by record_capacity).
    fields.resize(2 * n, Field::default());
    let (unsplit, split) = fields.split_at_mut(n);
    let mut next = starts;
    for (field, &range) in unsplit.iter().zip(&ranges) {
        split[next[range as usize]] = *field;
        next[range as usize] += 1;
    }
    drop(ranges);
    let mut scratch = vec![MaybeUninit::uninit(); counts.iter().max().map_or(0, |&most| most / 4)];
    for (start, count) in starts.into_iter().zip(counts) {
        glidesort::sort_with_buffer_by_key(&mut split[start..start + count], &mut scratch, |field| {
            field.head
        });
    }
    n
}

/// Room for `fields` records, and as many again for splitting them (see [`sort_heads`]):
/// reserved, so splitting neither reallocates nor frees a second large block.
fn record_capacity(fields: usize) -> usize {
    if fields >= SPLIT { 2 * fields } else { fields }
}

/// Code-point order of two fields' names.
#[inline(always)]
fn compare_names(texts: Texts<'_>, a: &Field, b: &Field) -> Ordering {
    a.head.cmp(&b.head).then_with(|| {
        if a.name.len.min(b.name.len) <= 16 {
            // Equal heads and a name of at most 16 bytes: that name is a prefix of the
            // other (whose bytes beyond it within the head are zero), so length decides.
            a.name.len.cmp(&b.name.len)
        } else {
            texts.bytes(a.name)[16..].cmp(&texts.bytes(b.name)[16..])
        }
    })
}

/// `+` to space, `%XX` to its byte, then the bytes as UTF-8 with U+FFFD for invalid ones,
/// appended to `out`. Only an escape can bring a byte above 0x7F (the rest is a str's
/// UTF-8 with ASCII replaced by ASCII), so without one the result needs no check.
fn decode_into(raw: &[u8], out: &mut Vec<u8>) {
    let at = out.len();
    out.reserve(raw.len());
    let mut high = false;
    let mut rest = raw;
    loop {
        // Copy the run up to the next `+` or `%` at once.
        let run = rest
            .iter()
            .position(|&b| b == b'+' || b == b'%')
            .unwrap_or(rest.len());
        out.extend_from_slice(&rest[..run]);
        let Some((&b, tail)) = rest[run..].split_first() else {
            break;
        };
        rest = tail;
        if b == b'+' {
            out.push(b' ');
            continue;
        }
        match (hex_value(tail.first()), hex_value(tail.get(1))) {
            (Some(h), Some(l)) => {
                let byte = h << 4 | l;
                high |= byte > 0x7f;
                out.push(byte);
                rest = &tail[2..];
            }
            _ => out.push(b'%'),
        }
    }
    if high && std::str::from_utf8(&out[at..]).is_err() {
        let text = String::from_utf8_lossy(&out[at..]).into_owned();
        out.truncate(at);
        out.extend_from_slice(text.as_bytes());
    }
}

fn hex_value(digit: Option<&u8>) -> Option<u8> {
    match *digit? {
        d @ b'0'..=b'9' => Some(d - b'0'),
        d @ b'a'..=b'f' => Some(d - b'a' + 10),
        d @ b'A'..=b'F' => Some(d - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{parse_qsl, sort_for_signing};

    fn model(body: &str) -> Vec<u8> {
        let mut params = parse_qsl(body);
        sort_for_signing(&mut params);
        let mut out = Vec::new();
        for (name, value) in &params {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(value.as_bytes());
        }
        out
    }

    /// A seeded xorshift generator: each call gives a number below its bound.
    fn xorshift(mut state: u64) -> impl FnMut(u64) -> u64 {
        move |bound| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        }
    }

    fn written(body: &str) -> Vec<u8> {
        let message = FormMessage::new(body).unwrap();
        let mut out = Vec::new();
        message.write_to(&mut out);
        assert_eq!(out.len(), message.len());
        assert_eq!(message.is_empty(), parse_qsl(body).is_empty());
        let mut fed = Vec::new();
        let mut stage = Vec::new();
        message.feed(&mut stage, &mut |chunk| fed.extend_from_slice(chunk));
        assert_eq!(fed, out);
        assert!(stage.len() <= STAGE + WINDOW);
        out
    }

    #[test]
    fn message_equals_parse_qsl_sorted_and_joined() {
        // Every string of up to 4 symbols over the characters that matter, then longer
        // pseudo-random ones, including names that share 16-byte heads.
        const ALPHABET: [&str; 17] = [
            "a",
            "=",
            "&",
            "+",
            "%",
            "2",
            "B",
            "C",
            "3",
            "A",
            "F",
            "é",
            "\u{FFFD}",
            " ",
            "\0",
            "0123456789abcdef",
            "%FF",
        ];
        let mut texts = vec![String::new()];
        let mut layer = texts.clone();
        for _ in 0..4 {
            layer = layer
                .iter()
                .flat_map(|t| ALPHABET.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(layer.iter().cloned());
        }
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(state % 48) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(ALPHABET[(state % ALPHABET.len() as u64) as usize]);
            }
            texts.push(text);
        }
        for text in &texts {
            assert_eq!(written(text), model(text), "{text:?}");
        }
    }

    #[test]
    fn long_and_short_parts_are_staged_in_order() {
        let long = "x".repeat(3 * STAGE);
        let mut body = String::new();
        for i in 0..40_000 {
            body.push_str(&format!("n{}={}&", 40_000 - i, i % 7));
            if i % 9_999 == 0 {
                body.push_str(&format!("L={long}&"));
            }
        }
        assert_eq!(written(&body), model(&body));
    }

    #[test]
    fn many_fields_group_like_a_stable_sort() {
        // Forms long enough to be grouped, from name pools small and large (over
        // MAX_GROUPS: the stable sort takes over), with names that differ only after
        // 16 bytes, escaped spellings of the same name, empty names and fields.
        let pools: [&[&str]; 4] = [
            &[
                "a", "b", "%61", "a+b", "a%20b", "", "A", "\u{e9}", "%C3%A9", "%FF",
            ],
            &[
                "0123456789abcdefX",
                "0123456789abcdefY",
                "0123456789abcdef",
                "0123456789abcdef%58",
                "0123456789abcdefXY",
            ],
            &["To", "From", "Digits", "CallSid", "AccountSid"],
            &[],
        ];
        let mut next = xorshift(0x2545_f491_4f6c_dd1d_u64);
        for round in 0..400 {
            let pool = pools[round % pools.len()];
            let fields = 64 + next(2_000) as usize;
            let mut body = String::new();
            for _ in 0..fields {
                let name = if pool.is_empty() {
                    // Over MAX_GROUPS names, short or sharing 12 to 18 bytes.
                    let stem = ["n", "0123456789ab", "0123456789abcdefgh", "0123456789abc%64"];
                    format!("{}{}", stem[next(4) as usize], next(700))
                } else {
                    pool[next(pool.len() as u64) as usize].to_string()
                };
                match next(6) {
                    0 => body.push_str(&format!("{name}&")),
                    1 => body.push('&'),
                    _ => body.push_str(&format!("{name}={}&", next(100))),
                }
            }
            assert_eq!(written(&body), model(&body), "{body:?}");
        }
    }

    #[test]
    fn runs_of_identical_fields_count_like_fields() {
        // Runs of identical fields (with and without escapes, empty values and names,
        // patterns up to and over MAX_RUN, at the end without `&`, across word boundaries),
        // in forms that are grouped and in forms of over MAX_GROUPS names (sorted).
        let units = [
            "a=",
            "a",
            "b=",
            "a=1",
            "%61=",
            "a+b=",
            "=",
            "=x",
            "&",
            "&&",
            "x=%FF",
            "0123456789abcdefXYZ=",
            "0123456789abcdef0123456789abcde=",
            "a=b=c",
            "é=",
        ];
        let mut next = xorshift(0x853c_49e6_748f_ea9b_u64);
        for round in 0..600 {
            let mut body = String::new();
            for k in 0..(1 + next(60)) {
                let unit = units[next(units.len() as u64) as usize];
                let times = 1 + next(if round % 3 == 0 { 4 } else { 300 });
                for _ in 0..times {
                    body.push_str(unit);
                    body.push('&');
                }
                if round % 2 == 1 {
                    body.push_str(&format!("d{k}_{}=v&", next(1_000)));
                }
                if next(5) == 0 {
                    body.push_str(&"%62=&".repeat(next(700) as usize));
                }
            }
            if next(2) == 0 {
                body.pop();
            }
            assert_eq!(written(&body), model(&body), "{body:?}");
        }
        let many = "a=&".repeat(350_000) + "a=" + &"b=&".repeat(70_000);
        assert_eq!(written(&many), model(&many));
    }

    #[test]
    fn grouping_is_taken_for_few_names_only() {
        let grouped = |body: &str| !FormMessage::new(body).unwrap().groups.is_empty();
        let repeated = "a=1&b=2&".repeat(40) + &"0123456789abcdef_long=3&".repeat(40);
        assert!(grouped(&repeated));
        let distinct: String = (0..MAX_GROUPS + 1).map(|i| format!("n{i}=&")).collect();
        assert!(!grouped(&distinct));
        let few: String = (0..MAX_GROUPS).map(|i| format!("n{i}=&n{i}=&")).collect();
        assert!(grouped(&few));
        assert!(!grouped("a=1&a=2"));
    }

    #[test]
    fn records_carry_on_where_grouping_gives_up() {
        // A long stretch of MAX_GROUPS names (escaped spellings, runs, empty values), then
        // the name one too many (escaped and in a run, so that the refused field's decoding
        // and count must not be kept twice), then new and old names again; with short
        // fields (runs looked for) and long ones.
        for pad in ["", "_0123456789"] {
            for late in [0, 1, 7, MAX_GROUPS] {
                let mut body = String::new();
                for round in 0..3 {
                    for i in 0..MAX_GROUPS - 1 {
                        match (i + round) % 4 {
                            0 => body.push_str(&format!("%6E{i}{pad}=v+{round}&")),
                            1 => body.push_str(&format!("n{i}{pad}=&").repeat(3)),
                            2 => body.push_str(&format!("n{i}{pad}&&")),
                            _ => body.push_str(&format!("n{i}{pad}={round}&")),
                        }
                    }
                    body.push_str("x=&x=&");
                }
                assert!(FormMessage::new(&body).unwrap().groups.len() == MAX_GROUPS);
                body.push_str(&format!("%6Dz{pad}=%FF&").repeat(3));
                for i in 0..late {
                    body.push_str(&format!("m{i}{pad}=%41&n{i}{pad}=&x=&"));
                }
                body.push_str("n1=last");
                assert!(FormMessage::new(&body).unwrap().groups.is_empty());
                assert_eq!(written(&body), model(&body), "{pad:?} {late}");
            }
        }
    }

    #[test]
    fn large_forms_split_into_ranges_like_a_stable_sort() {
        // Forms of SPLIT records and more, past grouping: interleaved numbered names,
        // names one of which is a prefix of the other (`a`, `a%00`), escaped and plain
        // spellings of one name (equal heads from the body and the decoded buffer), names
        // sharing 16 bytes or more, many equal names, empty names and fields, and forms
        // whose heads are nearly all equal (every splitter the same). Values are numbered,
        // so that any change in the order of equal names shows.
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15_u64);
        let stems = [
            "Field",
            "Status",
            "a",
            "a%00",
            "%61",
            "0123456789abcdef",
            "0123456789abcde%66",
            "0123456789abcdefXY",
            "",
            "%C3%A9",
        ];
        for round in 0..24 {
            let fields = 2 * SPLIT + next(2 * SPLIT as u64) as usize;
            let mut body = String::new();
            for k in 0..fields {
                let name = match round % 4 {
                    // Numbered, in submission order: ranges come apart into runs.
                    0 => format!("{}{k}", stems[k % 2]),
                    // Mostly a few names (ties everywhere), past grouping by a few others.
                    1 if next(8) > 0 => stems[next(stems.len() as u64) as usize].to_string(),
                    // Nearly all heads equal, and a name of its own every seventh field.
                    2 if k % 7 > 0 => "0123456789abcdefZ".to_string(),
                    2 => format!("{}{k}", stems[next(stems.len() as u64) as usize]),
                    _ => format!("{}{}", stems[next(stems.len() as u64) as usize], next(900)),
                };
                match next(7) {
                    0 => body.push_str(&format!("{name}&")),
                    1 => body.push('&'),
                    2 => body.push_str(&format!("{name}=%2B{k}&")),
                    _ => body.push_str(&format!("{name}={k}&")),
                }
            }
            let message = FormMessage::new(&body).unwrap();
            assert!(message.groups.is_empty() && message.first > 0, "{round}");
            assert_eq!(written(&body), model(&body), "{round}");
        }
    }

    #[test]
    fn names_made_to_collide_end_grouping() {
        // MAX_GROUPS names in one slot of the table, in an order the previous field and
        // the follower do not predict: grouping gives up, the message stays right.
        let texts = Texts {
            body: &[],
            decoded: &[],
        };
        let mut colliding = Vec::new();
        for i in 0.. {
            let name = format!("c{i}");
            let head = head(name.as_bytes(), 0, name.len());
            let part = Part {
                start: 0,
                len: name.len() as u32,
            };
            if slot(texts, head, part) == 7 {
                colliding.push(name);
                if colliding.len() == MAX_GROUPS {
                    break;
                }
            }
        }
        let mut body = String::new();
        for round in 0..8 {
            for k in 0..MAX_GROUPS {
                let name = &colliding[(k * 97 + round * 31) % MAX_GROUPS];
                body.push_str(&format!("{name}={round}&"));
            }
        }
        let message = FormMessage::new(&body).unwrap();
        assert!(message.groups.is_empty());
        assert_eq!(written(&body), model(&body));
        // The same number of names spread over the table is grouped.
        let spread: String = (0..8 * MAX_GROUPS)
            .map(|k| format!("s{}=&", k * 97 % MAX_GROUPS))
            .collect();
        assert!(!FormMessage::new(&spread).unwrap().groups.is_empty());
    }

    /// Runs that start near the body's start, after a first field of each length: the
    /// run's pattern is measured from its own start (a miscount there survived the random
    /// bodies above, whose first run starts at 0).
    #[test]
    fn runs_starting_at_every_small_offset() {
        for prefix in 0..48 {
            for unit in ["a=&", "a&", "ab=c&", "0123456789=&"] {
                let body = format!("{}&{}b=1", "x".repeat(prefix), unit.repeat(40));
                assert_eq!(written(&body), model(&body), "{body:?}");
            }
        }
    }

    /// Pairs around DIRECT bytes long repeated in a row (a long name with empty values,
    /// counted by the grouping), in messages over STAGE so that `feed` streams them.
    #[test]
    fn repeated_pairs_around_the_direct_length() {
        for len in [DIRECT - 2, DIRECT - 1, DIRECT, DIRECT + 1, 600] {
            let name = "n".repeat(len);
            let body = format!("{name}=&").repeat(STAGE / len + 80) + "z=1";
            assert_eq!(written(&body), model(&body), "{len}");
        }
    }

    /// Grouped forms longer than STAGE, so that `feed` flushes its stage between grouped
    /// pairs and within runs: parts of every length around WINDOW and DIRECT (plain and
    /// escaped), single pairs and runs long enough to fill the stage more than once.
    #[test]
    fn grouped_forms_stream_through_the_stage() {
        let lengths = [0, 1, 14, 15, 16, 17, 100, DIRECT - 3, DIRECT - 1, DIRECT, 2_000];
        let mut next = xorshift(0xd1b5_4a32_d192_ed03_u64);
        let mut grouped = 0;
        for round in 0..120 {
            let names = 1 + next(if round % 2 == 0 { 8 } else { MAX_GROUPS as u64 });
            let size = STAGE + next(3 * STAGE as u64) as usize;
            let mut body = "n0=&".repeat(MIN_GROUPED);
            while body.len() < size {
                let name = format!("n{}", next(names));
                let len = lengths[next(lengths.len() as u64) as usize];
                let value = match next(4) {
                    0 => "%41".repeat(len / 3),
                    1 => "+".repeat(len),
                    _ => "v".repeat(len),
                };
                let pair = format!("{name}={value}&");
                let times = match next(3) {
                    0 => 1 + next((4 * STAGE / pair.len()) as u64),
                    _ => 1,
                };
                body.push_str(&pair.repeat(times as usize));
            }
            let message = FormMessage::new(&body).unwrap();
            grouped += usize::from(!message.groups.is_empty() && message.records().is_empty());
            assert_eq!(written(&body), model(&body), "round {round}");
        }
        assert!(grouped > 100, "{grouped}");
    }

    /// Grouped forms whose message is shorter than WINDOW (the stage is sized from the
    /// message): empty fields make up the grouping's minimum, short pairs repeat.
    #[test]
    fn grouped_forms_shorter_than_a_window() {
        for tail in [
            "a=&a=",
            "ab&ab",
            "a=b&a=b&a=b",
            "a=1&b=2&a=1",
            "%41=%42&%41=%42",
            "x",
        ] {
            let body = "&".repeat(MIN_GROUPED) + tail;
            let message = FormMessage::new(&body).unwrap();
            assert!(!message.groups.is_empty() && message.len() < WINDOW, "{body:?}");
            assert_eq!(written(&body), model(&body), "{body:?}");
        }
    }

    /// `sort_heads` on its own, over the sizes that split into ranges: distinct heads, then
    /// heads of which many are equal or share high bits; sorted and stable.
    #[test]
    fn sort_heads_orders_every_split_size_stably() {
        let mut next = xorshift(0x6a09_e667_f3bc_c909_u64);
        let sizes = [
            STACK_SORTED + 1,
            SPLIT - 1,
            SPLIT,
            SPLIT + 1,
            4_999,
            5_003,
            7_777,
            20_011,
        ];
        for (n, mixed) in sizes.into_iter().flat_map(|n| [(n, false), (n, true)]) {
            let mut fields: Vec<Field> = (0..n)
                .map(|i| Field {
                    head: match next(4) {
                        0 if mixed => u128::from(next(8)),
                        1 => u128::from(next(u64::MAX)) << 64,
                        _ => (u128::from(next(u64::MAX)) << 64) | u128::from(next(u64::MAX)),
                    },
                    name: Part {
                        start: i as u32,
                        len: 0,
                    },
                    value: Part::default(),
                })
                .collect();
            fields.reserve(record_capacity(n) - n);
            let mut expected: Vec<(u128, u32)> = fields.iter().map(|f| (f.head, f.name.start)).collect();
            expected.sort();
            let first = sort_heads(&mut fields);
            let sorted: Vec<(u128, u32)> = fields[first..].iter().map(|f| (f.head, f.name.start)).collect();
            assert!(sorted == expected, "{n} {mixed}");
        }
    }

    /// The records of a large form are split in the second half of their own allocation,
    /// reserved when parsing began (a capacity off the record count would grow on
    /// splitting); a form too small to split reserves no second half.
    #[test]
    fn large_forms_split_within_their_reservation() {
        for n in [600, SPLIT - 1, SPLIT, 5_000, 12_345] {
            let fields: Vec<String> = (0..n).map(|i| format!("n{}={i}", n - i)).collect();
            let body = fields.join("&");
            let message = FormMessage::new(&body).unwrap();
            let split = n >= SPLIT;
            let records = if split { 2 * n } else { n };
            assert_eq!(message.first, if split { n } else { 0 });
            assert_eq!(message.fields.len(), records);
            assert_eq!(message.fields.capacity(), records, "{n}");
        }
    }

    /// Sorted records over STAGE bytes that end in long names with empty values: each
    /// long pair is fed as it is, after the staged short ones.
    #[test]
    fn long_names_with_empty_values_after_staged_records() {
        let mut body: String = (0..20_000).map(|i| format!("a{i}=1&")).collect();
        for k in 0..70 {
            body.push_str(&format!("z{k}{}&", "n".repeat(600 + k)));
        }
        assert_eq!(written(&body), model(&body));
    }

    /// A part is a `u32` offset whose top bit marks the decoded buffer, so every offset
    /// into a body that `new` accepts must stay below that bit; and no body that fits is
    /// refused (`new` gives `None` only above `MAX_BODY`).
    #[test]
    fn every_accepted_body_fits_below_the_decoded_bit() {
        assert!(MAX_BODY < DECODED as usize);
        assert_eq!(MAX_BODY + 1, DECODED as usize);
    }

    #[test]
    fn heads_order_names_like_code_points() {
        for (a, b) in [
            ("a", "a\0"),
            ("a\0", "a\0\0"),
            ("0123456789abcdef", "0123456789abcdef\0"),
            ("0123456789abcdefA", "0123456789abcdefB"),
            ("z", "é"),
            ("", "\0"),
        ] {
            let body = format!("{b}=1&{a}=2");
            assert_eq!(written(&body), model(&body), "{a:?} {b:?}");
        }
    }
}
