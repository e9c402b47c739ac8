//! Logbooks: the ledger filtered to one book and laid out with the columns the codes of
//! practice name for it, for CSV export and the Logbooks page.
//!
//! Invariants: every column is read from the entry as stored (its actor, time, references
//! or a body field); nothing is computed that the ledger does not say. A column whose value
//! the entry does not carry is left empty, never guessed. Times are shown in Europe/London.
//!
//! The review log (LBU-13, BDC-32) has one row per review: the `review-opened` entry, with
//! the result filled in from the `review-finished` entry that shares its `review:ID`
//! reference (an entry without such a reference is a row of its own). The download log (ALT-8)
//! has exactly the Active Learning Trust's Appendix I columns, one row per download: the
//! entries that share a `download:ID` reference, filled from the kinds
//! [`DOWNLOAD_KINDS`] names. Every other book has the generic columns.

use std::collections::BTreeMap;

use custos_base::UnixMs;
use serde_json::Value;

use crate::ledger::{Book, StoredEntry, parse_refs};

/// What the download log's rows are built from: (entry kind, what it supplies). Every one
/// carries the copy's `download:ID` reference.
pub const DOWNLOAD_KINDS: &[(&str, &str)] = &[
    (
        "download-requested",
        "the reason and the requestor, while the download waits",
    ),
    (
        "download-authorised",
        "each authorisation to download (who, when), in the authoriser's own name",
    ),
    (
        "evidence-produced",
        "date and time downloaded (the package made), reason, requestor; for a disclosure, its authoriser",
    ),
    (
        "evidence-downloaded",
        "the package's archive taken from the web, when no earlier time is known",
    ),
    (
        "medium-issued",
        "the copy handed over on a physical medium, when no earlier time is known",
    ),
    (
        "download-viewed",
        "date and time the recording was viewed, as recorded",
    ),
    (
        "download-deletion-authorised",
        "the authorisation to delete (who, when)",
    ),
    ("download-deleted", "date the recording was deleted"),
    (
        "medium-erased",
        "date the medium carrying the copy was erased",
    ),
];

/// A logbook laid out as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Column headings.
    pub headers: Vec<&'static str>,
    /// Rows, each as long as `headers`.
    pub rows: Vec<Vec<String>>,
}

/// The column headings for a book.
pub fn headers(book: Book) -> Vec<&'static str> {
    match book {
        Book::Review => vec![
            "Entry",
            "Reviewer",
            "When reviewed",
            "Camera",
            "Location",
            "Footage from",
            "Footage to",
            "Purpose",
            "Reason",
            "Persons present",
            "Result",
        ],
        // ALT-8: Appendix I of the trust's policy, column for column.
        Book::Download => vec![
            "Headteacher's or nominated alternate's authorisation to download a recording",
            "Date and time that recording was downloaded",
            "Reason for recording being downloaded",
            "Name of Requestor who wants to see the recording",
            "Date and time the recording was viewed",
            "Headteacher's or nominated alternate's authorisation to delete a recording",
            "Date that a recording was deleted",
        ],
        _ => vec!["Entry", "Time", "Actor", "Kind", "Concerning", "Details"],
    }
}

/// Lays out entries of one book (in sequence order) as its logbook.
pub fn table(book: Book, entries: &[StoredEntry]) -> Table {
    let rows = match book {
        Book::Review => review_rows(entries),
        Book::Download => download_rows(entries),
        _ => entries.iter().map(generic_row).collect(),
    };
    Table {
        headers: headers(book),
        rows,
    }
}

fn body(e: &StoredEntry) -> serde_json::Map<String, Value> {
    match serde_json::from_str::<Value>(&e.body) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

/// A body field as text: strings as they are, lists joined with "; ", others as JSON.
fn field(m: &serde_json::Map<String, Value>, key: &str) -> String {
    match m.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(xs)) => xs
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

fn refs_of(e: &StoredEntry, kind: &str) -> String {
    parse_refs(&e.refs)
        .iter()
        .filter(|r| r.kind() == kind)
        .map(|r| r.value().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

fn when(at_unix_ms: i64) -> String {
    UnixMs(at_unix_ms).to_london_display()
}

/// Who did it, without the `user:` prefix for people.
fn who(actor: &str) -> String {
    actor.strip_prefix("user:").unwrap_or(actor).to_owned()
}

fn review_row(e: &StoredEntry) -> Vec<String> {
    let b = body(e);
    vec![
        e.seq.to_string(),
        who(&e.actor),
        when(e.at_unix_ms),
        refs_of(e, "camera"),
        field(&b, "location"),
        field(&b, "footage_from"),
        field(&b, "footage_to"),
        field(&b, "purpose"),
        field(&b, "reason"),
        field(&b, "persons_present"),
        field(&b, "result"),
    ]
}

fn review_rows(entries: &[StoredEntry]) -> Vec<Vec<String>> {
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for e in entries {
        let id = refs_of(e, "review");
        if e.kind == "review-finished" && !id.is_empty() {
            if let Some((_, row)) = rows.iter_mut().find(|(r, _)| *r == id)
                && let Some(last) = row.last_mut()
            {
                *last = field(&body(e), "result");
            }
            continue;
        }
        rows.push((id, review_row(e)));
    }
    rows.into_iter().map(|(_, r)| r).collect()
}

fn generic_row(e: &StoredEntry) -> Vec<String> {
    vec![
        e.seq.to_string(),
        when(e.at_unix_ms),
        e.actor.clone(),
        e.kind.clone(),
        e.refs.replace('\n', "; "),
        e.body.clone(),
    ]
}

fn download_rows(entries: &[StoredEntry]) -> Vec<Vec<String>> {
    // One row per download, in the order each download first appears.
    let mut order: Vec<String> = Vec::new();
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in entries {
        let id = refs_of(e, "download");
        if id.is_empty() {
            continue;
        }
        let row = rows.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            vec![String::new(); 7]
        });
        let b = body(e);
        let by_at = || {
            let deputy = match field(&b, "as_deputy_for") {
                d if d.is_empty() => String::new(),
                d => format!(", as deputy for the absent {d}"),
            };
            format!("{}{deputy} ({})", who(&e.actor), when(e.at_unix_ms))
        };
        let fill = |cell: &mut String, value: String| {
            if cell.is_empty() {
                *cell = value;
            }
        };
        let at_or = |key: &str| {
            UnixMs::parse_bound(&field(&b, key), false)
                .map_or_else(|_| when(e.at_unix_ms), |t| t.to_london_display())
        };
        match e.kind.as_str() {
            "download-requested" => {
                fill(&mut row[2], field(&b, "reason"));
                fill(&mut row[3], field(&b, "requestor"));
            }
            "download-authorised" => {
                if !row[0].is_empty() {
                    row[0].push_str("; ");
                }
                row[0].push_str(&by_at());
            }
            "evidence-produced" => {
                row[1] = when(e.at_unix_ms);
                fill(&mut row[2], field(&b, "purpose"));
                fill(&mut row[3], field(&b, "requester"));
                // A disclosure's release is authorised on its case; the package names who.
                fill(&mut row[0], field(&b, "authoriser"));
            }
            "evidence-downloaded" | "medium-issued" => fill(&mut row[1], when(e.at_unix_ms)),
            "download-viewed" => row[4] = at_or("viewed_at"),
            "download-deletion-authorised" => row[5] = by_at(),
            "download-deleted" => row[6] = at_or("deleted_at"),
            "medium-erased" => fill(&mut row[6], when(e.at_unix_ms)),
            _ => {}
        }
    }
    order
        .into_iter()
        .filter_map(|id| rows.remove(&id))
        .collect()
}

/// An entry as one JSON object (for JSON Lines export): every stored field, hashes in hex,
/// the time also in RFC 3339, references as a list and the body as an object. Enough to
/// re-verify the entry's hash.
pub fn json_line(e: &StoredEntry) -> String {
    let body = serde_json::from_str::<Value>(&e.body).unwrap_or(Value::String(e.body.clone()));
    let refs: Vec<&str> = if e.refs.is_empty() {
        Vec::new()
    } else {
        e.refs.split('\n').collect()
    };
    serde_json::json!({
        "seq": e.seq,
        "at_unix_ms": e.at_unix_ms,
        "at": UnixMs(e.at_unix_ms).to_rfc3339(),
        "actor": e.actor,
        "book": e.book,
        "kind": e.kind,
        "refs": refs,
        "body": body,
        "body_text": e.body,
        "prev_hash": crate::ledger::to_hex(&e.prev_hash),
        "hash": crate::ledger::to_hex(&e.hash),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, actor: &str, book: &str, kind: &str, refs: &str, body: &str) -> StoredEntry {
        StoredEntry {
            seq,
            at_unix_ms: 1_795_392_000_000 + seq * 60_000,
            actor: actor.into(),
            book: book.into(),
            kind: kind.into(),
            refs: refs.into(),
            body: body.into(),
            prev_hash: vec![0; 32],
            hash: vec![1; 32],
        }
    }

    /// LBU-13, BDC-32: the review log shows reviewer, when, camera, location, footage
    /// range, reason, persons present and result.
    #[test]
    fn lbu_13_review_log_has_the_columns_the_codes_name() {
        let e = entry(
            4,
            "user:alice",
            "review",
            "review-opened",
            "camera:front-gate\nuser:alice",
            r#"{"footage_from":"09:00","footage_to":"09:30","location":"Main gate","persons_present":["PC Jones","B. Smith"],"reason":"Theft","result":"Suspect identified"}"#,
        );
        let t = table(Book::Review, &[e]);
        assert_eq!(t.headers.len(), t.rows[0].len());
        assert_eq!(
            t.rows[0],
            vec![
                "4",
                "alice",
                "2026-11-23 00:04 GMT",
                "front-gate",
                "Main gate",
                "09:00",
                "09:30",
                "",
                "Theft",
                "PC Jones; B. Smith",
                "Suspect identified"
            ]
        );
    }

    /// BDC-32: a review's result, recorded when it is finished, fills in the row of the
    /// review it belongs to; no second row appears for it.
    #[test]
    fn bdc_32_a_review_result_completes_its_row() {
        let opened = entry(
            7,
            "user:op",
            "review",
            "review-opened",
            "camera:gate\nreview:ab12",
            r#"{"footage_from":"10:00","footage_to":"10:10","location":"Gate","persons_present":[],"purpose":"security-and-safety","reason":"Bike stolen"}"#,
        );
        let other = entry(
            8,
            "user:sup",
            "review",
            "review-opened",
            "camera:gate\nreview:cd34",
            r#"{"reason":"Fence damage","purpose":"property-protection"}"#,
        );
        let finished = entry(
            9,
            "user:op",
            "review",
            "review-finished",
            "camera:gate\nreview:ab12",
            r#"{"result":"Thief seen at 10:04"}"#,
        );
        let t = table(Book::Review, &[opened, other, finished]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][7], "security-and-safety");
        assert_eq!(t.rows[0][8], "Bike stolen");
        assert_eq!(t.rows[0][10], "Thief seen at 10:04");
        assert_eq!(t.rows[1][10], "", "not finished yet");
    }

    /// ALT-8: the download log has exactly Appendix I's seven columns and one row per
    /// download, assembled from the entries about that download.
    #[test]
    fn alt_8_download_log_has_appendix_i_columns_one_row_per_download() {
        let es = vec![
            entry(
                1,
                "user:head",
                "download",
                "download-authorised",
                "download:d1",
                "{}",
            ),
            entry(
                2,
                "user:office",
                "download",
                "evidence-produced",
                "download:d1",
                r#"{"purpose":"Damage to a car","requester":"Mr Patel","authoriser":"head"}"#,
            ),
            entry(
                3,
                "user:head",
                "download",
                "download-authorised",
                "download:d2",
                "{}",
            ),
            entry(
                4,
                "user:office",
                "download",
                "download-viewed",
                "download:d1",
                r#"{"viewed_at":"2026-11-23T00:04:00Z"}"#,
            ),
            entry(
                5,
                "user:head",
                "download",
                "download-deletion-authorised",
                "download:d1",
                "{}",
            ),
            entry(
                6,
                "system:retention",
                "download",
                "download-deleted",
                "download:d1",
                "{}",
            ),
        ];
        let t = table(Book::Download, &es);
        assert_eq!(t.headers.len(), 7);
        assert!(
            t.headers[0]
                .starts_with("Headteacher's or nominated alternate's authorisation to download")
        );
        assert_eq!(t.headers[6], "Date that a recording was deleted");
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[0],
            vec![
                "head (2026-11-23 00:01 GMT)",
                "2026-11-23 00:02 GMT",
                "Damage to a car",
                "Mr Patel",
                "2026-11-23 00:04 GMT",
                "head (2026-11-23 00:05 GMT)",
                "2026-11-23 00:06 GMT"
            ]
        );
        assert_eq!(t.rows[1][0], "head (2026-11-23 00:03 GMT)");
        assert!(t.rows[1][1..].iter().all(String::is_empty));
        // Two people's authorisations share the cell; a deputy is named as one.
        let two = vec![
            entry(
                7,
                "user:hr",
                "download",
                "download-authorised",
                "download:d3",
                "{}",
            ),
            entry(
                8,
                "user:sup",
                "download",
                "download-authorised",
                "download:d3",
                r#"{"as_deputy_for":"manager"}"#,
            ),
        ];
        assert_eq!(
            table(Book::Download, &two).rows[0][0],
            "hr (2026-11-23 00:07 GMT); sup, as deputy for the absent manager (2026-11-23 00:08 GMT)"
        );
    }

    #[test]
    fn json_lines_carry_every_field() {
        let e = entry(
            2,
            "user:a",
            "config",
            "policy-loaded",
            "policy-version:1",
            r#"{"v":1}"#,
        );
        let v: Value = serde_json::from_str(&json_line(&e)).expect("json");
        assert_eq!(v["seq"], 2);
        assert_eq!(v["refs"][0], "policy-version:1");
        assert_eq!(v["body"]["v"], 1);
        assert_eq!(v["hash"], "01".repeat(32));
    }
}
