//! The ledger format against its published test vectors, and the verifier against
//! thousands of random ledgers each damaged in one random way (BDC-35: entries cannot be
//! removed, edited or reordered without it being detected and the entry named).

use custos_domain::ledger::{
    Checkpoint, GENESIS, Hash, Problem, StoredEntry, Verifier, canonical_bytes, entry_hash, to_hex,
};
use ed25519_dalek::SigningKey;

/// A small deterministic generator (SplitMix64), so every failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn text(&mut self) -> String {
        let alphabet = [
            'a', 'b', 'z', '0', ' ', '"', '\\', 'é', '€', '😀', '\n', '{',
        ];
        let n = self.below(24) as usize;
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len() as u64) as usize])
            .collect()
    }
}

struct Ledger {
    entries: Vec<StoredEntry>,
    checkpoints: Vec<Checkpoint>,
    witness: Vec<String>,
}

fn random_ledger(rng: &mut Rng, key: &SigningKey) -> Ledger {
    let n = 1 + rng.below(60) as i64;
    let mut prev = GENESIS;
    let mut at = 1_700_000_000_000 + rng.below(1_000_000) as i64;
    let mut entries = Vec::new();
    let mut checkpoints = Vec::new();
    for seq in 1..=n {
        at += rng.below(3) as i64;
        let mut e = StoredEntry {
            seq,
            at_unix_ms: at,
            actor: rng
                .pick(&["user:alice", "system:recorder", "console:root", "user:b"])
                .to_owned(),
            book: rng
                .pick(&["review", "download", "config", "access"])
                .to_owned(),
            kind: rng.pick(&["opened", "policy-loaded", "login"]).to_owned(),
            refs: rng
                .pick(&["", "camera:front-gate", "camera:a\nuser:alice"])
                .to_owned(),
            body: format!("{{\"n\":{},\"text\":{:?}}}", rng.next(), rng.text()),
            prev_hash: prev.0.to_vec(),
            hash: Vec::new(),
        };
        let h = entry_hash(&prev, &e.fields());
        e.hash = h.0.to_vec();
        prev = h;
        entries.push(e);
        if seq == n || rng.below(8) == 0 {
            checkpoints.push(Checkpoint::sign(key, seq, h, at + 1));
        }
    }
    let witness = checkpoints.iter().map(Checkpoint::witness_line).collect();
    Ledger {
        entries,
        checkpoints,
        witness,
    }
}

fn verify(l: &Ledger, key: &SigningKey) -> Result<(), Problem> {
    let mut entries = l.entries.clone();
    // The store reads entries ordered by sequence number.
    entries.sort_by_key(|e| e.seq);
    let mut v = Verifier::new(key.verifying_key(), 1, l.checkpoints.clone(), &l.witness)?;
    for e in &entries {
        v.entry(e)?;
    }
    v.finish().map(|_| ())
}

fn flip(bytes: &mut [u8], rng: &mut Rng) {
    let i = rng.below(bytes.len() as u64) as usize;
    bytes[i] ^= 1 << rng.below(8);
}

/// Damages the ledger in one random way; returns what was done and the entry that the
/// verifier must name.
fn mutate(l: &mut Ledger, rng: &mut Rng, key: &SigningKey) -> (String, i64) {
    let n = l.entries.len() as i64;
    let k = 1 + rng.below(n as u64) as i64;
    let idx = (k - 1) as usize;
    match rng.below(7) {
        0 => {
            let e = &mut l.entries[idx];
            let field = rng.below(9);
            match field {
                0 => e.seq = n + 1 + rng.below(100) as i64,
                1 => e.at_unix_ms += 1 + rng.below(5) as i64,
                2 => e.actor.push('x'),
                3 => {
                    e.book = if e.book == "review" {
                        "download"
                    } else {
                        "review"
                    }
                    .to_owned()
                }
                4 => e.kind.push_str("-edited"),
                5 => e.refs.push_str("\ncase:X"),
                6 => e.body.insert(1, ' '),
                7 => flip(&mut e.prev_hash, rng),
                _ => flip(&mut e.hash, rng),
            }
            (format!("edit field {field} of entry {k}"), k)
        }
        1 => {
            l.entries.remove(idx);
            (format!("delete entry {k}"), k)
        }
        2 => {
            let copy = l.entries[idx].clone();
            for e in &mut l.entries[idx + 1..] {
                e.seq += 1;
            }
            let mut dup = copy;
            dup.seq = k + 1;
            l.entries.insert(idx + 1, dup);
            (format!("duplicate entry {k}"), k + 1)
        }
        3 if n >= 2 => {
            let j = 1 + rng.below(n as u64) as i64;
            let (i, j) = if j == k {
                (k.min(n - 1), k.min(n - 1) + 1)
            } else {
                (k.min(j), k.max(j))
            };
            let (a, b) = ((i - 1) as usize, (j - 1) as usize);
            let (sa, sb) = (l.entries[a].seq, l.entries[b].seq);
            l.entries.swap(a, b);
            l.entries[a].seq = sa;
            l.entries[b].seq = sb;
            (format!("swap entries {i} and {j}"), i)
        }
        4 => {
            let t = rng.below(n as u64) as i64;
            l.entries.truncate(t as usize);
            (format!("truncate after entry {t}"), t + 1)
        }
        5 => {
            let c = rng.below(l.checkpoints.len() as u64) as usize;
            let cp = &mut l.checkpoints[c];
            if rng.below(2) == 0 {
                flip(&mut cp.signature, rng);
            } else {
                // A valid signature, but by another key.
                let other = SigningKey::from_bytes(&[0x99; 32]);
                let forged = Checkpoint::sign(&other, cp.seq, cp.hash, cp.at_unix_ms);
                cp.signature = forged.signature;
            }
            (
                format!("replace signature of checkpoint at {}", cp.seq),
                cp.seq,
            )
        }
        _ => {
            let w = rng.below(l.witness.len() as u64) as usize;
            let mut c = Checkpoint::parse_witness_line(&l.witness[w]).expect("valid line");
            let seq = c.seq;
            match rng.below(4) {
                0 => flip(&mut c.hash.0, rng),
                1 => c.at_unix_ms -= 1,
                2 => flip(&mut c.signature, rng),
                _ => {
                    // Re-signed by someone without the scheme key, for a made-up hash.
                    let other = SigningKey::from_bytes(&[9; 32]);
                    c = Checkpoint::sign(&other, seq, Hash([3; 32]), c.at_unix_ms);
                }
            }
            l.witness[w] = c.witness_line();
            let _ = key;
            (format!("edit witness line {} (entry {seq})", w + 1), seq)
        }
    }
}

/// BDC-35: every single mutation of thousands of random ledgers is detected and the
/// damaged entry is named.
#[test]
fn bdc_35_verify_detects_every_single_mutation_and_names_the_entry() {
    let key = SigningKey::from_bytes(&[42; 32]);
    let mut rng = Rng(0x00C0_5705);
    let runs = 5_000;
    for run in 0..runs {
        let mut ledger = random_ledger(&mut rng, &key);
        assert_eq!(verify(&ledger, &key), Ok(()), "run {run}: intact ledger");
        let (what, expected) = mutate(&mut ledger, &mut rng, &key);
        match verify(&ledger, &key) {
            Ok(()) => panic!("run {run}: {what} was not detected"),
            Err(p) => assert_eq!(
                p.seq(),
                expected,
                "run {run}: {what} was detected but named entry {} ({p})",
                p.seq()
            ),
        }
    }
}

#[test]
fn a_garbled_witness_line_is_reported_with_its_entry() {
    let key = SigningKey::from_bytes(&[1; 32]);
    let mut rng = Rng(5);
    let mut l = random_ledger(&mut rng, &key);
    let seq = l.checkpoints[0].seq;
    l.witness[0] = format!("custos-witness-v1 {seq} not-a-hash");
    let e = verify(&l, &key).expect_err("garbled line");
    assert!(
        matches!(e, Problem::Malformed { .. }) && e.seq() == seq,
        "{e}"
    );
}

#[test]
fn verification_from_a_later_entry_checks_only_the_rest() {
    let key = SigningKey::from_bytes(&[1; 32]);
    let mut rng = Rng(11);
    let mut l = random_ledger(&mut rng, &key);
    while l.entries.len() < 10 {
        l = random_ledger(&mut rng, &key);
    }
    l.entries[1].body.push(' ');
    let mut v = Verifier::new(key.verifying_key(), 5, l.checkpoints.clone(), &l.witness)
        .expect("witness parses");
    for e in &l.entries[4..] {
        v.entry(e).expect("entries from 5 are intact");
    }
    let s = v.finish().expect("intact from 5");
    assert_eq!(s.entries as usize, l.entries.len() - 4);
}

/// The published test vectors (`crates/domain/tests/fixtures/ledger-vectors.txt`, quoted
/// in docs/ref/ledger.md): this implementation must reproduce them byte for byte.
#[test]
fn bdc_35_test_vectors_match_the_published_encoding() {
    let text = include_str!("fixtures/ledger-vectors.txt");
    let mut got = String::new();
    for line in vectors_text().lines() {
        got.push_str(line);
        got.push('\n');
    }
    assert!(
        text == got,
        "the ledger encoding changed; the published vectors must not. This build gives:\n{got}"
    );
}

/// Builds the vectors: three entries chained from genesis, and a checkpoint of the last
/// one signed by a key made from a fixed seed.
fn vectors_text() -> String {
    let seed = [0x42u8; 32];
    let key = SigningKey::from_bytes(&seed);
    let specs: [(i64, i64, &str, &str, &str, &str, &str); 3] = [
        (
            1,
            1_795_392_000_000,
            "console:root",
            "config",
            "policy-loaded",
            "policy-version:1",
            r#"{"pack_id":"bosmere-junior-school","sha256":"ab12","version":1}"#,
        ),
        (
            2,
            1_795_392_060_000,
            "user:alice",
            "review",
            "review-opened",
            "camera:front-gate\nuser:alice",
            r#"{"footage_from":"2026-11-23T09:00:00Z","reason":"Théft from a car ☂"}"#,
        ),
        (
            3,
            1_795_392_060_000,
            "system:recorder",
            "recording",
            "camera-up",
            "",
            "{}",
        ),
    ];
    let mut out = String::new();
    out.push_str(&format!("key-seed {}\n", to_hex(&seed)));
    out.push_str(&format!(
        "public-key {}\n",
        to_hex(key.verifying_key().as_bytes())
    ));
    let mut prev = GENESIS;
    for (seq, at, actor, book, kind, refs, body) in specs {
        let e = StoredEntry {
            seq,
            at_unix_ms: at,
            actor: actor.into(),
            book: book.into(),
            kind: kind.into(),
            refs: refs.into(),
            body: body.into(),
            prev_hash: prev.0.to_vec(),
            hash: vec![],
        };
        let bytes = canonical_bytes(&prev, &e.fields());
        let h = entry_hash(&prev, &e.fields());
        assert_eq!(
            h.0,
            <[u8; 32]>::from(<sha2::Sha256 as sha2::Digest>::digest(&bytes))
        );
        out.push_str(&format!("entry {seq}\n"));
        out.push_str(&format!("  canonical {}\n", to_hex(&bytes)));
        out.push_str(&format!("  hash {h}\n"));
        prev = h;
    }
    let c = Checkpoint::sign(&key, 3, prev, 1_795_392_120_000);
    out.push_str(&format!(
        "checkpoint-message {}\n",
        to_hex(&Checkpoint::message(3, &prev, 1_795_392_120_000))
    ));
    out.push_str(&format!("witness {}\n", c.witness_line()));
    out
}

/// A ledger of `n` entries from `first`, chained from `prev`, with one marker in each body
/// so two chains differ from their first entry.
fn chain(first: i64, n: i64, prev: Hash, marker: &str) -> Vec<StoredEntry> {
    let mut prev = prev;
    let mut out = Vec::new();
    for seq in first..first + n {
        let mut e = StoredEntry {
            seq,
            at_unix_ms: 1_700_000_000_000 + seq,
            actor: "system:test".to_owned(),
            book: "system".to_owned(),
            kind: "tested".to_owned(),
            refs: String::new(),
            body: format!("{{\"chain\":\"{marker}\"}}"),
            prev_hash: prev.0.to_vec(),
            hash: Vec::new(),
        };
        let h = entry_hash(&prev, &e.fields());
        e.hash = h.0.to_vec();
        prev = h;
        out.push(e);
    }
    out
}

fn hash_of(e: &StoredEntry) -> Hash {
    Hash::from_slice(&e.hash).expect("32 bytes")
}

fn verify_with(
    entries: &[StoredEntry],
    key: &SigningKey,
    witness: &[String],
) -> Result<custos_domain::ledger::Summary, Problem> {
    let mut v = Verifier::new(key.verifying_key(), 1, Vec::new(), witness)?;
    for e in entries {
        v.entry(e)?;
    }
    v.finish()
}

/// BDC-35: after a backup is restored and new entries written, the witness remembers the
/// lost chain and verification fails; a signed acceptance voids the witness lines after
/// the point where the two agree and vouches for the chain now in the database. Only the
/// scheme's key can sign one; the summary says how far signatures reach.
#[test]
fn bdc_35_an_acceptance_signed_by_the_scheme_re_anchors_a_restored_ledger() {
    use custos_domain::ledger::Acceptance;
    let key = SigningKey::from_bytes(&[7; 32]);
    let old = chain(1, 10, GENESIS, "old");
    let mut witness: Vec<String> = old
        .iter()
        .step_by(3)
        .map(|e| Checkpoint::sign(&key, e.seq, hash_of(e), e.at_unix_ms).witness_line())
        .collect();
    // The backup held entries 1–5; three new ones were written after it was restored.
    let mut restored = old[..5].to_vec();
    restored.extend(chain(6, 3, hash_of(&old[4]), "new"));
    let problem = verify_with(&restored, &key, &witness).expect_err("the witness remembers");
    assert_eq!(problem.seq(), 7, "{problem}");

    let head = restored.last().expect("head");
    let a = Acceptance::sign(&key, 5, head.seq, hash_of(head), 1_800_000_000_000);
    let line = a.witness_line();
    assert!(line.starts_with("custos-accept-v1 5 8 "), "{line}");
    assert_eq!(Acceptance::parse_witness_line(&line), Some(a));
    witness.push(line);
    let s = verify_with(&restored, &key, &witness).expect("accepted");
    assert_eq!(s.head.0, 8);
    assert_eq!(s.signed_to, 8);

    // Signed by another key: refused, naming the acceptance.
    let mut forged = witness.clone();
    let other = SigningKey::from_bytes(&[8; 32]);
    forged.pop();
    forged.push(Acceptance::sign(&other, 5, head.seq, hash_of(head), 1).witness_line());
    let problem = verify_with(&restored, &key, &forged).expect_err("not ours");
    assert!(
        matches!(problem, Problem::BadSignature { seq: 8, .. }),
        "{problem}"
    );
    // An acceptance does not vouch for entries changed after it.
    let mut later = restored.clone();
    later.extend(chain(9, 2, hash_of(head), "later"));
    let s = verify_with(&later, &key, &witness).expect("later entries chain on");
    assert_eq!(
        (s.head.0, s.signed_to),
        (10, 8),
        "entries 9 and 10 are unsigned"
    );
}

/// Every kind of entry Custos writes is listed in docs/ref/ledger.md with its book, and the
/// page lists no kind the code does not write (entries of unlisted kinds cannot be made).
#[test]
fn bdc_35_the_ledger_page_lists_exactly_the_entry_kinds_custos_writes() {
    let page = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ref/ledger.md"),
    )
    .expect("docs/ref/ledger.md");
    let section = page
        .split("## Every entry kind Custos writes")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("the section listing every kind");
    let documented: std::collections::BTreeSet<(String, String)> = section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let tick = |c: &str| c.strip_prefix('`')?.strip_suffix('`').map(str::to_owned);
            Some((tick(cells.get(1)?)?, tick(cells.get(2)?)?))
        })
        .collect();
    let written: std::collections::BTreeSet<(String, String)> = custos_domain::ledger::KINDS
        .iter()
        .map(|(b, k, _)| (b.to_string(), (*k).to_owned()))
        .collect();
    let missing: Vec<_> = written.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&written).collect();
    assert!(
        missing.is_empty(),
        "written but not in docs/ref/ledger.md: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "in docs/ref/ledger.md but never written: {extra:?}"
    );
}
