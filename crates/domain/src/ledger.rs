//! The ledger format: what an entry is, how it is hashed and chained, what a signed
//! checkpoint and a witness line are, and the verifier that checks all of them.
//!
//! This is the logbook of the scheme (BDC-35: "sequential in order that pages or entries
//! cannot be removed"). The byte encoding here is specified in `docs/ref/ledger.md` so that
//! anyone can write an independent verifier; `tests/ledger_vectors.rs` pins it with test
//! vectors.
//!
//! Invariants:
//! - An entry's hash is SHA-256 over [`ENTRY_DOMAIN`], the previous entry's hash, and the
//!   entry's fields in a fixed order (integers big-endian, strings length-prefixed UTF-8),
//!   exactly as stored. Nothing is re-serialised before hashing, so a verifier never has to
//!   reproduce a JSON canonicalisation.
//! - The first entry has sequence number 1 and chains from [`GENESIS`] (32 zero bytes).
//! - A checkpoint signs (sequence, hash, time) with the scheme's Ed25519 key; a witness line
//!   is the same signed triple written outside the database.
//! - [`Verifier`] reports the first problem in sequence order and names the entry.
//!
//! Costs: hashing is one SHA-256 pass over roughly the entry's size; the verifier keeps only
//! the previous entry's hash and the checkpoints and witness lines still ahead of it.

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::ident::Ident;

mod describe;
pub use describe::{Names, describe, has_sentence};

/// The bytes every entry hash starts with (16 bytes, ASCII).
pub const ENTRY_DOMAIN: &[u8; 16] = b"custos-ledger-v1";
/// The bytes every checkpoint message starts with (20 bytes, ASCII).
pub const CHECKPOINT_DOMAIN: &[u8; 20] = b"custos-checkpoint-v1";
/// The first word of every witness line.
pub const WITNESS_TAG: &str = "custos-witness-v1";

/// Starts an acceptance line in a witness (see [`Acceptance`]); also the domain of its
/// signature.
pub const ACCEPT_TAG: &str = "custos-accept-v1";
/// The hash the first entry chains from.
pub const GENESIS: Hash = Hash([0; 32]);

/// A SHA-256 hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// Parses 64 hex digits (either case).
    pub fn from_hex(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in b.chunks_exact(2).enumerate() {
            out[i] = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
        }
        Some(Self(out))
    }

    /// Takes exactly 32 bytes.
    pub fn from_slice(b: &[u8]) -> Option<Self> {
        b.try_into().ok().map(Self)
    }
}

impl fmt::Display for Hash {
    /// Lower-case hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Lower-case hex of any bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Parses hex of any even length.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|p| Some((hex_digit(p[0])? << 4) | hex_digit(p[1])?))
        .collect()
}

kebab_enum! {
    /// The logbook an entry belongs to. Each logbook the codes ask for is the ledger
    /// filtered to one book (BDC-18, BDC-37).
    Book, "logbook" {
        /// Reviews of recorded footage (LBU-13, BDC-32).
        Review = "review",
        /// Downloads of footage (ALT-8).
        Download = "download",
        /// Disclosures to third parties (LBU-20).
        Disclosure = "disclosure",
        /// Incidents (BDC-24).
        Incident = "incident",
        /// Control-room visitors (LBU-12, BDC-23).
        Visitors = "visitors",
        /// Operators on and off duty (BDC-36).
        Duty = "duty",
        /// Faults and maintenance (LBU-16, BDC-19).
        Maintenance = "maintenance",
        /// The media register (BDC-32).
        Media = "media",
        /// Video prints (BDC-34).
        VideoPrints = "video-prints",
        /// The list of installed equipment (BDC-37).
        Equipment = "equipment",
        /// Body-worn camera issue and return (LBU-24).
        Bwv = "bwv",
        /// Redeployable camera deployments (BDC-38).
        Deployment = "deployment",
        /// Case events: requests, complaints, authorisations.
        Case = "case",
        /// Configuration: policy packs, cameras, users, rights, purposes.
        Config = "config",
        /// Logins, logouts, lockouts.
        Access = "access",
        /// Retention: holds, deletions.
        Retention = "retention",
        /// Recording: segments sealed, cameras up and down.
        Recording = "recording",
        /// The system itself: schema changes, ledger verification.
        System = "system",
    }
}

impl Book {
    /// The logbook's name for people, e.g. "Review log".
    pub fn title(self) -> &'static str {
        match self {
            Self::Review => "Review log",
            Self::Download => "Download log",
            Self::Disclosure => "Disclosure log",
            Self::Incident => "Incident log",
            Self::Visitors => "Control-room visitors",
            Self::Duty => "Duty",
            Self::Maintenance => "Faults and maintenance log",
            Self::Media => "Media register",
            Self::VideoPrints => "Video prints",
            Self::Equipment => "Installed equipment",
            Self::Bwv => "Body-worn cameras",
            Self::Deployment => "Redeployable camera deployments",
            Self::Case => "Cases",
            Self::Config => "Configuration",
            Self::Access => "Sign-ins and access",
            Self::Retention => "Retention and holds",
            Self::Recording => "Recording",
            Self::System => "The system itself",
        }
    }
}

/// Why a reference is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The kind is not a kebab-case word.
    #[error("reference kind {0:?} is not a lower-case kebab-case word such as \"camera\"")]
    Kind(String),
    /// The value is empty or has control characters.
    #[error("reference value {0:?} for {1} must be non-empty and contain no control characters")]
    Value(String, String),
}

/// What an entry concerns: a camera, a case, a user, a range of segments…, as
/// `kind:value`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reference {
    kind: Ident,
    value: String,
}

impl Reference {
    /// A reference; the kind is kebab-case, the value non-empty without control characters.
    pub fn new(kind: &str, value: impl Into<String>) -> Result<Self, ReferenceError> {
        let kind = Ident::parse(kind).map_err(|_| ReferenceError::Kind(kind.to_owned()))?;
        let value = value.into();
        if value.is_empty() || value.chars().any(char::is_control) {
            return Err(ReferenceError::Value(value, kind.to_string()));
        }
        Ok(Self { kind, value })
    }

    /// The kind (`camera`, `case`, `user`, …).
    pub fn kind(&self) -> &str {
        self.kind.as_str()
    }

    /// The value.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.value)
    }
}

/// The stored form of a set of references: sorted, without duplicates, one `kind:value` per
/// line, joined by `\n` with no final newline; empty when there are none.
pub fn refs_text(refs: &[Reference]) -> String {
    let mut sorted: Vec<String> = refs.iter().map(ToString::to_string).collect();
    sorted.sort();
    sorted.dedup();
    sorted.join("\n")
}

/// Reads the references back from their stored form (lines that do not parse are skipped:
/// the stored text, not this reading, is what the hash covers).
pub fn parse_refs(text: &str) -> Vec<Reference> {
    text.split('\n')
        .filter_map(|l| l.split_once(':'))
        .filter_map(|(k, v)| Reference::new(k, v).ok())
        .collect()
}

/// An entry as stored: every field exactly as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Sequence number, 1, 2, 3, … with no gaps.
    pub seq: i64,
    /// When it was appended (UTC, ms since the Unix epoch); never earlier than the entry
    /// before.
    pub at_unix_ms: i64,
    /// Who: `user:NAME`, `console:NAME` or `system:COMPONENT`.
    pub actor: String,
    /// The logbook ([`Book`] id).
    pub book: String,
    /// What happened, a kebab-case word (`policy-loaded`, `review-opened`, …).
    pub kind: String,
    /// What it concerns, in the form of [`refs_text`].
    pub refs: String,
    /// The structured body: a JSON object as text.
    pub body: String,
    /// The previous entry's hash as stored (32 bytes when intact).
    pub prev_hash: Vec<u8>,
    /// This entry's hash as stored (32 bytes when intact).
    pub hash: Vec<u8>,
}

/// The fields an entry's hash covers, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct EntryFields<'a> {
    /// Sequence number.
    pub seq: i64,
    /// Time, ms since the epoch.
    pub at_unix_ms: i64,
    /// Actor text.
    pub actor: &'a str,
    /// Book id.
    pub book: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// References text.
    pub refs: &'a str,
    /// Body text.
    pub body: &'a str,
}

impl StoredEntry {
    /// The hashed fields of this entry.
    pub fn fields(&self) -> EntryFields<'_> {
        EntryFields {
            seq: self.seq,
            at_unix_ms: self.at_unix_ms,
            actor: &self.actor,
            book: &self.book,
            kind: &self.kind,
            refs: &self.refs,
            body: &self.body,
        }
    }
}

/// The canonical bytes of an entry (what its hash is taken over), for test vectors and
/// independent verifiers.
pub fn canonical_bytes(prev: &Hash, f: &EntryFields<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        16 + 32
            + 16
            + 20
            + f.actor.len()
            + f.book.len()
            + f.kind.len()
            + f.refs.len()
            + f.body.len(),
    );
    out.extend_from_slice(ENTRY_DOMAIN);
    out.extend_from_slice(&prev.0);
    out.extend_from_slice(&f.seq.to_be_bytes());
    out.extend_from_slice(&f.at_unix_ms.to_be_bytes());
    for s in [f.actor, f.book, f.kind, f.refs, f.body] {
        out.extend_from_slice(&len_u32(s).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    out
}

fn len_u32(s: &str) -> u32 {
    // Entries are bounded far below 4 GiB by the store; saturate rather than wrap so an
    // impossible length can never collide with a real one.
    u32::try_from(s.len()).unwrap_or(u32::MAX)
}

/// An entry's hash: SHA-256 of [`canonical_bytes`], computed without building them.
pub fn entry_hash(prev: &Hash, f: &EntryFields<'_>) -> Hash {
    let mut h = Sha256::new();
    h.update(ENTRY_DOMAIN);
    h.update(prev.0);
    h.update(f.seq.to_be_bytes());
    h.update(f.at_unix_ms.to_be_bytes());
    for s in [f.actor, f.book, f.kind, f.refs, f.body] {
        h.update(len_u32(s).to_be_bytes());
        h.update(s.as_bytes());
    }
    Hash(h.finalize().into())
}

/// A signed statement that the ledger's entry `seq` has hash `hash`, made at `at_unix_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The entry's sequence number.
    pub seq: i64,
    /// The entry's hash.
    pub hash: Hash,
    /// When the checkpoint was made (ms since the epoch).
    pub at_unix_ms: i64,
    /// Ed25519 signature over [`Checkpoint::message`] (64 bytes when intact).
    pub signature: Vec<u8>,
}

impl Checkpoint {
    /// The signed bytes: [`CHECKPOINT_DOMAIN`], seq (i64 BE), hash (32), time (i64 BE).
    pub fn message(seq: i64, hash: &Hash, at_unix_ms: i64) -> [u8; 68] {
        let mut m = [0u8; 68];
        m[..20].copy_from_slice(CHECKPOINT_DOMAIN);
        m[20..28].copy_from_slice(&seq.to_be_bytes());
        m[28..60].copy_from_slice(&hash.0);
        m[60..68].copy_from_slice(&at_unix_ms.to_be_bytes());
        m
    }

    /// Signs a checkpoint.
    pub fn sign(key: &SigningKey, seq: i64, hash: Hash, at_unix_ms: i64) -> Self {
        let sig = key.sign(&Self::message(seq, &hash, at_unix_ms));
        Self {
            seq,
            hash,
            at_unix_ms,
            signature: sig.to_bytes().to_vec(),
        }
    }

    /// Whether the signature is the scheme key's over this checkpoint.
    pub fn signature_valid(&self, key: &VerifyingKey) -> bool {
        let Ok(sig) = Signature::from_slice(&self.signature) else {
            return false;
        };
        key.verify(&Self::message(self.seq, &self.hash, self.at_unix_ms), &sig)
            .is_ok()
    }

    /// The witness line for this checkpoint (without a newline):
    /// `custos-witness-v1 SEQ HASH_HEX AT_UNIX_MS SIGNATURE_HEX`.
    pub fn witness_line(&self) -> String {
        format!(
            "{WITNESS_TAG} {} {} {} {}",
            self.seq,
            self.hash,
            self.at_unix_ms,
            to_hex(&self.signature)
        )
    }

    /// Parses a witness line.
    pub fn parse_witness_line(line: &str) -> Option<Self> {
        let mut w = line.split(' ');
        if w.next()? != WITNESS_TAG {
            return None;
        }
        let seq = w.next()?.parse().ok()?;
        let hash = Hash::from_hex(w.next()?)?;
        let at_unix_ms = w.next()?.parse().ok()?;
        let signature = from_hex(w.next()?)?;
        if w.next().is_some() {
            return None;
        }
        Some(Self {
            seq,
            hash,
            at_unix_ms,
            signature,
        })
    }
}

/// A signed statement, written to the witnesses by `custos ledger accept`, that the scheme
/// accepts the ledger as it now stands — after a backup was restored, or after a problem
/// was investigated — and that witness lines written before it about entries after
/// `agreed_to` no longer apply. Entries up to `agreed_to` are the ones on which the ledger
/// and the earlier witness lines still agree; the chain from there to the head `seq` with
/// `hash` is the one now vouched for. Only the holder of the scheme's signing key can make
/// one, so someone with the data folder alone cannot use it to wave a forgery through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// Earlier witness lines about entries after this one are void.
    pub agreed_to: i64,
    /// The head accepted.
    pub seq: i64,
    /// Its hash.
    pub hash: Hash,
    /// When it was accepted (ms since the epoch).
    pub at_unix_ms: i64,
    /// Ed25519 signature over [`Acceptance::message`].
    pub signature: Vec<u8>,
}

impl Acceptance {
    /// The signed bytes: [`ACCEPT_TAG`] (16 bytes), agreed_to, seq (i64 BE each), hash (32),
    /// time (i64 BE).
    pub fn message(agreed_to: i64, seq: i64, hash: &Hash, at_unix_ms: i64) -> [u8; 72] {
        let mut m = [0u8; 72];
        m[..16].copy_from_slice(ACCEPT_TAG.as_bytes());
        m[16..24].copy_from_slice(&agreed_to.to_be_bytes());
        m[24..32].copy_from_slice(&seq.to_be_bytes());
        m[32..64].copy_from_slice(&hash.0);
        m[64..72].copy_from_slice(&at_unix_ms.to_be_bytes());
        m
    }

    /// Signs an acceptance.
    pub fn sign(key: &SigningKey, agreed_to: i64, seq: i64, hash: Hash, at_unix_ms: i64) -> Self {
        let sig = key.sign(&Self::message(agreed_to, seq, &hash, at_unix_ms));
        Self {
            agreed_to,
            seq,
            hash,
            at_unix_ms,
            signature: sig.to_bytes().to_vec(),
        }
    }

    /// Whether the signature is the scheme key's over this acceptance.
    pub fn signature_valid(&self, key: &VerifyingKey) -> bool {
        let Ok(sig) = Signature::from_slice(&self.signature) else {
            return false;
        };
        key.verify(
            &Self::message(self.agreed_to, self.seq, &self.hash, self.at_unix_ms),
            &sig,
        )
        .is_ok()
    }

    /// The witness line: `custos-accept-v1 AGREED_TO SEQ HASH_HEX AT_UNIX_MS SIGNATURE_HEX`.
    pub fn witness_line(&self) -> String {
        format!(
            "{ACCEPT_TAG} {} {} {} {} {}",
            self.agreed_to,
            self.seq,
            self.hash,
            self.at_unix_ms,
            to_hex(&self.signature)
        )
    }

    /// Parses an acceptance line.
    pub fn parse_witness_line(line: &str) -> Option<Self> {
        let mut w = line.split(' ');
        if w.next()? != ACCEPT_TAG {
            return None;
        }
        let agreed_to = w.next()?.parse().ok()?;
        let seq = w.next()?.parse().ok()?;
        let hash = Hash::from_hex(w.next()?)?;
        let at_unix_ms = w.next()?.parse().ok()?;
        let signature = from_hex(w.next()?)?;
        if w.next().is_some() {
            return None;
        }
        Some(Self {
            agreed_to,
            seq,
            hash,
            at_unix_ms,
            signature,
        })
    }
}

/// Where a checkpoint came from, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The checkpoint table in the database.
    Database,
    /// The witness file; the number is its line (1-based).
    Witness(usize),
    /// An acceptance line of the witness file (its signature checked when read).
    Accepted(usize),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Database => f.write_str("the checkpoint"),
            Self::Witness(line) => write!(f, "witness line {line}"),
            Self::Accepted(line) => write!(f, "the acceptance on witness line {line}"),
        }
    }
}

/// The first thing wrong with a ledger. Every variant names an entry by sequence number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// An entry's stored hash is not the hash of its contents: it was edited.
    #[error(
        "entry {seq}: hash mismatch: its contents do not hash to its stored hash, so the entry (or its hash) was changed after it was written"
    )]
    HashMismatch {
        /// The entry.
        seq: i64,
    },
    /// An entry's stored previous-entry hash is not the previous entry's hash.
    #[error(
        "entry {seq}: broken chain: its stored previous hash is not the hash of entry {}",
        seq - 1
    )]
    BrokenChain {
        /// The entry.
        seq: i64,
    },
    /// An entry is missing.
    #[error("entry {missing}: missing (gap: the next entry found is {found})")]
    Gap {
        /// The first missing sequence number.
        missing: i64,
        /// The sequence number found in its place.
        found: i64,
    },
    /// Entries are not in order (by sequence number or by time).
    #[error("entry {seq}: out of order: {why}")]
    OutOfOrder {
        /// The entry.
        seq: i64,
        /// What is out of order.
        why: String,
    },
    /// A checkpoint's signature is not the scheme key's.
    #[error("entry {seq}: bad signature: {from} for this entry is not signed by the scheme's key")]
    BadSignature {
        /// The entry the checkpoint covers.
        seq: i64,
        /// Which checkpoint.
        from: Source,
    },
    /// A checkpoint records a different hash for an entry than the entry has.
    #[error(
        "entry {seq}: {from} records hash {recorded} but the ledger has {found}: the entry was rewritten after it was signed"
    )]
    CheckpointMismatch {
        /// The entry.
        seq: i64,
        /// Which checkpoint.
        from: Source,
        /// What the checkpoint says.
        recorded: Hash,
        /// What the ledger has.
        found: Hash,
    },
    /// The ledger ends before an entry a checkpoint or the witness recorded: it was
    /// truncated, or an older copy of the database was restored.
    #[error(
        "entry {missing}: missing: the ledger ends at entry {head} but {from} records entry {recorded}, so the head is behind the witness (entries were removed from the end or an older copy of the database was restored)"
    )]
    HeadBehindWitness {
        /// The first missing entry.
        missing: i64,
        /// The last entry present (0 when empty).
        head: i64,
        /// The entry recorded.
        recorded: i64,
        /// Which record.
        from: Source,
    },
    /// A stored value has the wrong shape (a hash that is not 32 bytes, a bad witness line).
    #[error("entry {seq}: malformed: {what}")]
    Malformed {
        /// The entry.
        seq: i64,
        /// What is wrong.
        what: String,
    },
}

impl Problem {
    /// The entry named.
    pub fn seq(&self) -> i64 {
        match self {
            Self::HashMismatch { seq }
            | Self::BrokenChain { seq }
            | Self::OutOfOrder { seq, .. }
            | Self::BadSignature { seq, .. }
            | Self::CheckpointMismatch { seq, .. }
            | Self::Malformed { seq, .. } => *seq,
            Self::Gap { missing, .. } | Self::HeadBehindWitness { missing, .. } => *missing,
        }
    }
}

/// What an intact ledger looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Entries checked.
    pub entries: u64,
    /// Checkpoints whose signature and hash were checked.
    pub checkpoints: u64,
    /// Witness lines checked.
    pub witness_lines: u64,
    /// The last entry: sequence number (0 when empty) and hash.
    pub head: (i64, Hash),
    /// The last entry a checked signature covers (a checkpoint, witness line or
    /// acceptance): entries after it are unsigned; 0 when none is.
    pub signed_to: i64,
}

/// Checks a ledger entry by entry, in sequence order.
///
/// Feed every entry from `from` onwards with [`Verifier::entry`], then call
/// [`Verifier::finish`]. The first problem is returned and the verifier should be dropped.
#[derive(Debug)]
pub struct Verifier {
    key: VerifyingKey,
    next_seq: i64,
    prev_hash: Option<Hash>,
    prev_at: i64,
    pending: BTreeMap<i64, Vec<(Source, Checkpoint)>>,
    summary: Summary,
}

impl Verifier {
    /// A verifier for the entries from `from` (1 for the whole ledger), with the checkpoints
    /// from the database and the lines of the witness file (in file order). Checkpoints and
    /// witness lines before `from` are ignored; so is the chain link into entry `from` when
    /// `from > 1` (that entry's stored previous hash is taken as given).
    pub fn new(
        key: VerifyingKey,
        from: i64,
        checkpoints: Vec<Checkpoint>,
        witness: &[String],
    ) -> Result<Self, Problem> {
        let from = from.max(1);
        let mut pending: BTreeMap<i64, Vec<(Source, Checkpoint)>> = BTreeMap::new();
        for c in checkpoints {
            pending
                .entry(c.seq)
                .or_default()
                .push((Source::Database, c));
        }
        for (i, line) in witness.iter().enumerate() {
            let source = Source::Witness(i + 1);
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            if line.starts_with(ACCEPT_TAG) {
                let Some(a) = Acceptance::parse_witness_line(line) else {
                    return Err(Problem::Malformed {
                        seq: line
                            .split(' ')
                            .nth(2)
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(0),
                        what: format!("{source} is not a valid acceptance line: {line:?}"),
                    });
                };
                if !a.signature_valid(&key) {
                    return Err(Problem::BadSignature {
                        seq: a.seq,
                        from: Source::Accepted(i + 1),
                    });
                }
                // Earlier witness lines about entries after the agreed part are void.
                for list in pending.range_mut(a.agreed_to + 1..).map(|(_, l)| l) {
                    list.retain(|(s, _)| *s == Source::Database);
                }
                pending.retain(|_, l| !l.is_empty());
                pending.entry(a.seq).or_default().push((
                    Source::Accepted(i + 1),
                    Checkpoint {
                        seq: a.seq,
                        hash: a.hash,
                        at_unix_ms: a.at_unix_ms,
                        signature: a.signature,
                    },
                ));
                continue;
            }
            let Some(c) = Checkpoint::parse_witness_line(line) else {
                // Name the entry the damaged line is about if its number is readable.
                let seq = line
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                return Err(Problem::Malformed {
                    seq,
                    what: format!("{source} is not a valid witness line: {line:?}"),
                });
            };
            pending.entry(c.seq).or_default().push((source, c));
        }
        let pending = pending.split_off(&from);
        Ok(Self {
            key,
            next_seq: from,
            prev_hash: (from == 1).then_some(GENESIS),
            prev_at: i64::MIN,
            pending,
            summary: Summary {
                entries: 0,
                checkpoints: 0,
                witness_lines: 0,
                head: (from - 1, GENESIS),
                signed_to: 0,
            },
        })
    }

    /// The sequence number the next entry must have.
    pub fn next_seq(&self) -> i64 {
        self.next_seq
    }

    /// Checks the next entry.
    pub fn entry(&mut self, e: &StoredEntry) -> Result<(), Problem> {
        self.check(&e.fields(), &e.prev_hash, &e.hash)
    }

    /// Leaves out checkpoints and witness lines after entry `last`, for a verifier that
    /// checks only the entries up to `last` (one part of a ledger checked in parts).
    pub fn stop_at(&mut self, last: i64) {
        let _beyond = self.pending.split_off(&(last + 1));
    }

    /// Checks the next entry, given its fields and stored hashes as borrowed values.
    pub fn check(
        &mut self,
        f: &EntryFields<'_>,
        prev_hash: &[u8],
        hash: &[u8],
    ) -> Result<(), Problem> {
        let seq = f.seq;
        if seq != self.next_seq {
            return Err(if seq > self.next_seq {
                Problem::Gap {
                    missing: self.next_seq,
                    found: seq,
                }
            } else {
                Problem::OutOfOrder {
                    seq,
                    why: format!("it comes after entry {}", self.next_seq - 1),
                }
            });
        }
        let stored_prev = Hash::from_slice(prev_hash).ok_or_else(|| Problem::Malformed {
            seq,
            what: format!("its previous hash is {} bytes, not 32", prev_hash.len()),
        })?;
        let stored_hash = Hash::from_slice(hash).ok_or_else(|| Problem::Malformed {
            seq,
            what: format!("its hash is {} bytes, not 32", hash.len()),
        })?;
        let prev = self.prev_hash.unwrap_or(stored_prev);
        if entry_hash(&prev, f) != stored_hash {
            return Err(Problem::HashMismatch { seq });
        }
        if stored_prev != prev {
            return Err(Problem::BrokenChain { seq });
        }
        if f.at_unix_ms < self.prev_at {
            return Err(Problem::OutOfOrder {
                seq,
                why: format!(
                    "its time ({} ms) is earlier than the previous entry's ({} ms)",
                    f.at_unix_ms, self.prev_at
                ),
            });
        }
        if let Some(first) = self.pending.first_key_value().map(|(k, _)| *k)
            && first <= seq
        {
            let checks = self.pending.remove(&first).unwrap_or_default();
            for (source, c) in checks {
                // A checkpoint for an entry before this one would have been met already,
                // so `first == seq` here.
                if c.hash != stored_hash {
                    return Err(Problem::CheckpointMismatch {
                        seq,
                        from: source,
                        recorded: c.hash,
                        found: stored_hash,
                    });
                }
                // An acceptance's own signature was checked when it was read.
                if !matches!(source, Source::Accepted(_)) && !c.signature_valid(&self.key) {
                    return Err(Problem::BadSignature { seq, from: source });
                }
                match source {
                    Source::Database => self.summary.checkpoints += 1,
                    Source::Witness(_) | Source::Accepted(_) => self.summary.witness_lines += 1,
                }
                self.summary.signed_to = seq;
            }
        }
        self.prev_hash = Some(stored_hash);
        self.prev_at = f.at_unix_ms;
        self.next_seq = seq + 1;
        self.summary.entries += 1;
        self.summary.head = (seq, stored_hash);
        Ok(())
    }

    /// What has been checked so far, without the end-of-ledger check of
    /// [`Verifier::finish`] (for a verifier that checks one part of a ledger).
    pub fn summary(&self) -> Summary {
        self.summary.clone()
    }

    /// Ends verification: no checkpoint or witness line may be beyond the last entry.
    pub fn finish(self) -> Result<Summary, Problem> {
        if let Some((&recorded, list)) = self.pending.first_key_value() {
            let source = list.first().map_or(Source::Database, |(s, _)| *s);
            return Err(Problem::HeadBehindWitness {
                missing: self.next_seq,
                head: self.next_seq - 1,
                recorded,
                from: source,
            });
        }
        Ok(self.summary)
    }
}

/// Every kind of entry Custos writes, with its book and when it is written. A kind not
/// listed here cannot be written (debug builds, and so every test, stop at once), and
/// `docs/ref/ledger.md` lists each one (a test checks both ways), so the ledger's format
/// page never falls behind the code.
pub const KINDS: &[(Book, &str, &str)] = &[
    (
        Book::Access,
        "absence-recorded",
        "someone's absence is recorded (for deputising)",
    ),
    (
        Book::Access,
        "absence-ended",
        "someone is back from an absence",
    ),
    (
        Book::Access,
        "account-locked",
        "an account is locked after five refused sign-ins",
    ),
    (
        Book::Access,
        "account-unlocked",
        "a lock on an account is lifted, with the reason",
    ),
    (
        Book::Access,
        "calendar-feed-replaced",
        "a person's deadlines feed address is replaced",
    ),
    (
        Book::Access,
        "declaration-accepted",
        "the confidentiality declaration is accepted, with its text",
    ),
    (
        Book::Access,
        "live-opened",
        "a camera is watched live (who, which camera, from where)",
    ),
    (
        Book::Access,
        "live-closed",
        "a live view ends (how long it lasted)",
    ),
    (Book::Access, "mfa-enrolled", "a second factor is set up"),
    (
        Book::Access,
        "mfa-replaced",
        "a second factor is replaced (after the password and a current code)",
    ),
    (
        Book::Access,
        "mfa-reset",
        "a second factor is removed by an administrator, with the reason",
    ),
    (Book::Access, "password-set", "a password is set or changed"),
    (
        Book::Access,
        "screen-locked",
        "a session locks after the idle limit",
    ),
    (
        Book::Access,
        "screen-unlocked",
        "a locked session is unlocked with the password",
    ),
    (
        Book::Access,
        "identity-confirmed",
        "a person proves with password and second factor, at the console, that they act in their own name",
    ),
    (
        Book::Access,
        "sign-in-refused",
        "a sign-in, unlock or second-factor code is refused (with the source address; the account only if one by that name exists)",
    ),
    (Book::Access, "signed-in", "someone signs in"),
    (
        Book::Access,
        "public-requests-refused",
        "the public request form turns away a network's requests over its limits (once per network an hour)",
    ),
    (
        Book::Access,
        "signed-out",
        "a session ends (signed out, expired, disabled)",
    ),
    (
        Book::Access,
        "signed-out-everywhere",
        "every session of a person is ended at once",
    ),
    (
        Book::Access,
        "source-throttled",
        "sign-in from an address (IPv6: its /64) is paused after twenty refusals",
    ),
    (
        Book::Access,
        "workstation-refused",
        "a camera group refuses someone at a workstation it does not allow",
    ),
    (
        Book::Case,
        "case-opened",
        "a case is opened (kind, reference; no personal details)",
    ),
    (
        Book::Case,
        "case-await-identity",
        "a case waits for the requester's identity",
    ),
    (
        Book::Case,
        "case-verify-identity",
        "the requester's identity is verified",
    ),
    (
        Book::Case,
        "case-start",
        "work on a case starts (its clock runs)",
    ),
    (
        Book::Case,
        "case-extend",
        "a case's deadline is extended, with the reason",
    ),
    (
        Book::Case,
        "case-decide",
        "a case is decided, with the decision and reasons",
    ),
    (Book::Case, "case-close", "a case is closed"),
    (Book::Case, "case-withdraw", "a case is withdrawn"),
    (
        Book::Case,
        "case-convert-to-subject-access",
        "an FOI request for one's own images becomes a subject access request",
    ),
    (
        Book::Case,
        "case-acknowledge",
        "a complaint is acknowledged in writing",
    ),
    (
        Book::Case,
        "case-accept-late",
        "a complaint raised after the scheme's window is accepted, with the reason",
    ),
    (
        Book::Case,
        "case-appeal",
        "a complaint's answer is appealed, with the grounds",
    ),
    (
        Book::Case,
        "case-decide-appeal",
        "an appeal is decided, with the outcome and reasons",
    ),
    (
        Book::Case,
        "case-assess-risk",
        "a breach's risk to people is assessed, with the reasons",
    ),
    (
        Book::Case,
        "case-breach-details",
        "what a breach's notification says is recorded or changed",
    ),
    (
        Book::Case,
        "case-notify-ico",
        "the ICO is notified of a breach",
    ),
    (
        Book::Case,
        "case-not-notify-ico",
        "a breach is not notified to the ICO, with the reason",
    ),
    (
        Book::Case,
        "case-tell-people",
        "the people affected by a breach are told",
    ),
    (
        Book::Case,
        "case-not-tell-people",
        "the people affected by a breach are not told, under an exception",
    ),
    (
        Book::Case,
        "case-approve-judicially",
        "a justice of the peace approves a council's covert authorisation or its renewal",
    ),
    (
        Book::Case,
        "case-review",
        "a covert authorisation is reviewed, with the next review's date",
    ),
    (
        Book::Case,
        "case-renew",
        "a covert authorisation is renewed, with its new expiry",
    ),
    (
        Book::Case,
        "case-cancel",
        "a covert authorisation is cancelled and its team told",
    ),
    (
        Book::Case,
        "case-agree",
        "the owners' representative agrees to a police request to take control of the system",
    ),
    (
        Book::Case,
        "case-hand-back",
        "the police hand control of the system back",
    ),
    (
        Book::Case,
        "case-footage-held",
        "footage is held for a case",
    ),
    (
        Book::Case,
        "case-footage-linked",
        "footage is linked to a case without a hold",
    ),
    (Book::Case, "case-assigned", "a case is assigned to someone"),
    (
        Book::Case,
        "case-document-added",
        "a document (or letter) is kept with a case",
    ),
    (Book::Case, "case-note-added", "a note is added to a case"),
    (
        Book::Case,
        "disclosure-agreement-accepted",
        "the recipient's acceptance of the release agreement is recorded",
    ),
    (
        Book::Case,
        "disclosure-authorised",
        "one person's authorisation of a release that needs more than one",
    ),
    (
        Book::Case,
        "disclosure-crime-reference",
        "a disclosure's crime reference is recorded",
    ),
    (
        Book::Case,
        "disclosure-public-interest-test",
        "a secondary request's public-interest test is recorded",
    ),
    (
        Book::Case,
        "disclosure-released",
        "a disclosure is released as an evidence package",
    ),
    (
        Book::Config,
        "policy-loaded",
        "a policy pack is loaded and made active",
    ),
    (
        Book::Config,
        "totp-secrets-sealed",
        "second-factor secrets kept by an older version are sealed with the master key",
    ),
    (Book::Config, "user-added", "an account is added"),
    (
        Book::Config,
        "user-disabled",
        "an account is disabled, with the reason",
    ),
    (
        Book::Config,
        "user-enabled",
        "an account is enabled again, with the reason",
    ),
    (
        Book::Config,
        "user-email-set",
        "a person's e-mail address for notices is set or removed (not the address)",
    ),
    (Book::Config, "role-granted", "a role is granted"),
    (Book::Config, "role-revoked", "a role is revoked"),
    (
        Book::Config,
        "licence-recorded",
        "an SIA licence is recorded",
    ),
    (
        Book::Config,
        "training-recorded",
        "a training course is recorded",
    ),
    (Book::Config, "camera-added", "a camera is registered"),
    (
        Book::Config,
        "camera-changed",
        "a camera's register entry is changed, with the reason",
    ),
    (
        Book::Config,
        "camera-retired",
        "a camera is retired, with the reason",
    ),
    (
        Book::Config,
        "camera-group-added",
        "a camera group is added",
    ),
    (
        Book::Config,
        "workstations-changed",
        "a camera group's workstations are changed",
    ),
    (
        Book::Download,
        "download-requested",
        "someone asks for footage to be taken out as an evidence package",
    ),
    (
        Book::Download,
        "download-authorised",
        "an authoriser authorises a download, in their own name",
    ),
    (
        Book::Download,
        "download-authoriser-told",
        "a person who may authorise a waiting download is told of it by e-mail",
    ),
    (
        Book::Download,
        "download-viewed",
        "the recipient's viewing of a copy is recorded",
    ),
    (
        Book::Download,
        "download-deletion-authorised",
        "an authoriser authorises destroying a copy; its holds are released",
    ),
    (
        Book::Download,
        "download-deleted",
        "the destruction of a copy is recorded",
    ),
    (
        Book::Download,
        "evidence-produced",
        "an evidence package is made",
    ),
    (
        Book::Download,
        "evidence-downloaded",
        "an evidence package is downloaded from the web",
    ),
    (
        Book::Download,
        "evidence-copy-deleted",
        "a package kept on the server is deleted",
    ),
    (
        Book::Download,
        "medium-issued",
        "a physical medium is issued (media register)",
    ),
    (
        Book::Download,
        "medium-returned",
        "a physical medium is returned",
    ),
    (
        Book::Download,
        "medium-erased",
        "a physical medium is erased",
    ),
    (
        Book::Incident,
        "incident-recorded",
        "an incident is recorded in the incident log (BDC-24)",
    ),
    (
        Book::Incident,
        "incident-corrected",
        "an incident log entry is corrected by a new entry that refers to it, with the reason",
    ),
    (
        Book::Incident,
        "incident-outcome",
        "an incident's outcome is recorded",
    ),
    (
        Book::Incident,
        "incident-countersigned",
        "an incident log entry is countersigned (BDC-18)",
    ),
    (
        Book::Incident,
        "incident-footage-linked",
        "footage is linked to an incident and held under an evidence class",
    ),
    (
        Book::Incident,
        "incident-linked",
        "a review or a download is linked to an incident",
    ),
    (
        Book::Incident,
        "incident-statement-added",
        "a witness statement is kept with an incident (BDC-18)",
    ),
    (
        Book::Duty,
        "signed-on",
        "someone signs on duty in the control room",
    ),
    (Book::Duty, "signed-off", "someone signs off duty"),
    (
        Book::Maintenance,
        "fault-opened",
        "the recorder opens a fault on a camera",
    ),
    (Book::Maintenance, "fault-closed", "a camera's fault clears"),
    (
        Book::Maintenance,
        "check-recorded",
        "a camera's scheduled check is recorded with its checklist (LBU-16, ALT-15)",
    ),
    (
        Book::Maintenance,
        "fault-reported",
        "a person reports a fault on a camera, or a failed check reports one",
    ),
    (
        Book::Maintenance,
        "contractor-called",
        "the maintenance contractor is called to a fault (BDC-19)",
    ),
    (
        Book::Maintenance,
        "contractor-responded",
        "the contractor's response to a fault is recorded",
    ),
    (
        Book::Maintenance,
        "fault-fixed",
        "a fault is recorded fixed, by the contractor or the scheme's own staff",
    ),
    (
        Book::Maintenance,
        "maintenance-corrected",
        "a check or fault is corrected by a new entry that refers to the one it corrects, with the reason",
    ),
    (
        Book::Recording,
        "data-key-created",
        "a camera's data key for a day is made",
    ),
    (
        Book::Recording,
        "hour-sealed",
        "a closed camera-hour's Merkle root is sealed",
    ),
    (
        Book::Recording,
        "hour-sealed-interim",
        "an hour not yet sealed is sealed so far, for an export made now",
    ),
    (
        Book::Retention,
        "footage-deleted",
        "footage past its retention is deleted (per camera-hour)",
    ),
    (
        Book::Retention,
        "footage-deleted-early",
        "unheld footage is deleted early because the disk is nearly full",
    ),
    (
        Book::Retention,
        "footage-erased",
        "footage is erased on an accepted erasure request",
    ),
    (
        Book::Retention,
        "day-key-destroyed",
        "a spent day key is destroyed (crypto-shredding)",
    ),
    (
        Book::Retention,
        "hold-placed",
        "a hold is placed on footage",
    ),
    (
        Book::Retention,
        "hold-confirmed",
        "a provisional hold for a request from the public is confirmed as staff accept the request",
    ),
    (
        Book::Retention,
        "hold-released",
        "a hold is released early, with the reason",
    ),
    (
        Book::Retention,
        "hold-shortened",
        "a hold is shortened, with the reason",
    ),
    (Book::Retention, "hold-expired", "a hold reaches its expiry"),
    (
        Book::Retention,
        "recording-paused",
        "a camera pauses because the disk is full of held footage",
    ),
    (
        Book::Retention,
        "recording-resumed",
        "a paused camera resumes",
    ),
    (
        Book::Retention,
        "sweep-finished",
        "a retention sweep finishes, with its figures",
    ),
    (
        Book::Review,
        "review-opened",
        "a recording is opened for review, with the purpose and reason",
    ),
    (
        Book::Review,
        "review-finished",
        "a review's result is recorded",
    ),
    (
        Book::Visitors,
        "visitor-arrived",
        "a visitor to the control room is recorded as they come in: their name, organisation or department, purpose, who authorised the visit, the time in and how they accepted the confidentiality undertaking",
    ),
    (
        Book::Visitors,
        "visitor-left",
        "a visitor's time out of the control room is recorded",
    ),
    (
        Book::Visitors,
        "visit-countersigned",
        "a visit's authorisation is countersigned by someone whose role countersigns the visitors' log, not the person who recorded it",
    ),
    (
        Book::Visitors,
        "visit-corrected",
        "a detail of a recorded visit is corrected: a new entry naming the visit, the detail, its value before and after, and why",
    ),
    (
        Book::VideoPrints,
        "print-authority-recorded",
        "a police officer's written authority for video prints is recorded: the officer's name, rank (Inspector or above), warrant or collar number and force, what it asks for, the day it is dated and the SHA-256 of the written authority kept",
    ),
    (
        Book::VideoPrints,
        "print-authority-corrected",
        "a detail of a written authority for video prints is corrected: a new entry naming it, the detail, its value before and after, and why",
    ),
    (
        Book::VideoPrints,
        "video-print-made",
        "a still is made from recorded footage under a written authority: the camera, the moment, the frame's time, and the SHA-256 of the recorded segment, the still and its sidecar",
    ),
    (
        Book::VideoPrints,
        "video-print-downloaded",
        "a video print's still is taken from Custos (to print it or hand it over)",
    ),
    (
        Book::VideoPrints,
        "video-print-given",
        "to whom a video print was given is recorded: their name, organisation and when",
    ),
    (
        Book::VideoPrints,
        "video-print-destruction-authorised",
        "the destruction of a video print is authorised, with the reason, by someone whose role countersigns the video print register",
    ),
    (
        Book::VideoPrints,
        "video-print-destroyed",
        "a video print is destroyed: its key is destroyed and its still and sidecar deleted",
    ),
    (
        Book::VideoPrints,
        "video-print-corrected",
        "to whom a video print was given is corrected: a new entry naming it, the detail, its value before and after, and why",
    ),
    (
        Book::Equipment,
        "equipment-entered",
        "a camera's details or a recorder, monitor, link or other piece of equipment is entered in the list of installed equipment: what it is, its make and model, serial number, location and the day it was installed",
    ),
    (
        Book::Equipment,
        "equipment-removed",
        "the removal of a piece of equipment is recorded: a new entry naming it, the day it was removed and why",
    ),
    (
        Book::Equipment,
        "equipment-corrected",
        "a detail of an equipment entry is corrected: a new entry naming it, the detail, its value before and after, and why",
    ),
    (
        Book::System,
        "schema-migrated",
        "a database schema step is applied",
    ),
    (
        Book::System,
        "ledger-verified",
        "a scheduled verification finds the ledger intact",
    ),
    (
        Book::System,
        "ledger-verification-failed",
        "a verification finds a problem, or the ledger could not be checked against its witnesses (an alarm; checkpoints stop being signed)",
    ),
    (
        Book::System,
        "ledger-unsigned-tail",
        "at start, entries after the last signature are found (an alarm)",
    ),
    (
        Book::System,
        "ledger-alarm-acknowledged",
        "someone acknowledges an alarm, with a note",
    ),
    (
        Book::System,
        "ledger-accepted",
        "the ledger is accepted as it stands (after a restore), with the reason",
    ),
    (
        Book::System,
        "witness-failed",
        "a ledger witness cannot be written (an alarm)",
    ),
    (
        Book::Incident,
        "book-checked",
        "someone who countersigns the book marks it checked (BDC-18)",
    ),
    (
        Book::Visitors,
        "book-checked",
        "someone who countersigns the book marks it checked (BDC-18)",
    ),
    (
        Book::Maintenance,
        "book-checked",
        "someone who countersigns the book marks it checked (BDC-18)",
    ),
    (
        Book::VideoPrints,
        "book-checked",
        "someone who countersigns the book marks it checked (BDC-18)",
    ),
    (
        Book::Equipment,
        "book-checked",
        "someone who countersigns the book marks it checked (BDC-18)",
    ),
    (
        Book::Bwv,
        "book-checked",
        "someone who countersigns the book marks it checked (BDC-18)",
    ),
    (
        Book::Deployment,
        "book-checked",
        "someone who countersigns the book marks it checked (BDC-18)",
    ),
    (
        Book::Deployment,
        "deployment-recorded",
        "a redeployable camera's deployment is recorded (BDC-38)",
    ),
    (
        Book::Deployment,
        "deployment-signs-erected",
        "a deployment's signs are recorded as erected",
    ),
    (
        Book::Deployment,
        "deployment-signs-removed",
        "a deployment's signs are recorded as removed",
    ),
    (
        Book::Deployment,
        "deployment-ended",
        "a deployed camera is recorded as taken down, ending its deployment",
    ),
    (
        Book::Deployment,
        "deployment-corrected",
        "a detail of a deployment is corrected, with the reason",
    ),
    (
        Book::Deployment,
        "deployment-document-added",
        "a photo of a deployment's signs or another document is kept with it, encrypted",
    ),
    (
        Book::Bwv,
        "bwv-device-registered",
        "a body-worn camera is entered in the register (LBU-24)",
    ),
    (
        Book::Bwv,
        "bwv-device-retired",
        "a body-worn camera is retired from use",
    ),
    (
        Book::Bwv,
        "bwv-issued",
        "a body-worn camera is issued to an officer, with their acknowledgement",
    ),
    (Book::Bwv, "bwv-returned", "a body-worn camera comes back"),
    (
        Book::System,
        "witness-restored",
        "a ledger witness takes lines again",
    ),
];

/// Whether `kind` in `book` is one of [`KINDS`].
pub fn is_known_kind(book: Book, kind: &str) -> bool {
    KINDS.iter().any(|(b, k, _)| *b == book && *k == kind)
}

/// A new entry, before the store gives it a number, a time, an actor and hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// The logbook.
    pub book: Book,
    /// What happened.
    pub kind: Ident,
    /// What it concerns.
    pub refs: Vec<Reference>,
    /// The structured body (a JSON object; keys are written sorted).
    pub body: serde_json::Map<String, serde_json::Value>,
}

impl NewEntry {
    /// An entry with no references and an empty body. `kind` must be kebab-case; kinds
    /// are chosen in code, so a bad one is a programming error reported at once.
    pub fn new(book: Book, kind: &'static str) -> Self {
        debug_assert!(
            is_known_kind(book, kind),
            "ledger entry kind {kind:?} in book {book} is not in ledger::KINDS: add it there and to docs/ref/ledger.md"
        );
        Self {
            book,
            kind: Ident::parse(kind)
                .unwrap_or_else(|_| panic!("ledger entry kind {kind:?} must be a kebab-case word")),
            refs: Vec::new(),
            body: serde_json::Map::new(),
        }
    }

    /// Adds a reference.
    pub fn with_ref(mut self, r: Reference) -> Self {
        self.refs.push(r);
        self
    }

    /// Adds a body field.
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.body.insert(key.to_owned(), value.into());
        self
    }

    /// The body as stored: compact JSON with keys sorted.
    pub fn body_text(&self) -> String {
        serde_json::Value::Object(self.body.clone()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_round_trip_through_hex() {
        let h = Hash([0xab; 32]);
        assert_eq!(Hash::from_hex(&h.to_string()), Some(h));
        assert_eq!(Hash::from_hex("zz"), None);
    }

    #[test]
    fn references_refuse_bad_kinds_and_values_and_sort() {
        assert!(Reference::new("Camera", "x").is_err());
        assert!(Reference::new("camera", "").is_err());
        assert!(Reference::new("camera", "a\nb").is_err());
        let refs = vec![
            Reference::new("user", "alice").expect("valid"),
            Reference::new("camera", "front-gate").expect("valid"),
            Reference::new("user", "alice").expect("valid"),
        ];
        assert_eq!(refs_text(&refs), "camera:front-gate\nuser:alice");
        assert_eq!(parse_refs("camera:front-gate\nuser:alice").len(), 2);
    }

    #[test]
    fn witness_lines_round_trip() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let c = Checkpoint::sign(&key, 42, Hash([1; 32]), 1_700_000_000_000);
        let line = c.witness_line();
        assert_eq!(Checkpoint::parse_witness_line(&line), Some(c.clone()));
        assert!(c.signature_valid(&key.verifying_key()));
    }
}
