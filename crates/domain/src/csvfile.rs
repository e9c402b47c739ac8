//! The one CSV writer for every CSV file Custos produces — logbooks, the disclosure log,
//! the retention report — through the `csv` crate.
//!
//! Invariants: RFC 4180 (fields with commas, quotes or line breaks quoted, quotes doubled),
//! CRLF line ends, a header row first. No field can run as a spreadsheet formula: one that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return (the characters spreadsheets
//! treat as the start of a formula, or skip before looking for one) is written with a
//! leading `'`, which spreadsheets show as text.

/// The characters that make a spreadsheet read a cell as a formula, or skip before one.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `field`, made safe to open in a spreadsheet.
pub fn defused(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// A CSV file: `headers`, then each of `rows`.
pub fn document<H, R, F>(headers: &[H], rows: impl IntoIterator<Item = R>) -> String
where
    H: AsRef<str>,
    R: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    // Writing to memory cannot fail; a record that somehow does is left out rather than
    // half-written.
    let _ = w.write_record(headers.iter().map(|h| defused(h.as_ref()).into_owned()));
    for row in rows {
        let fields: Vec<String> = row
            .into_iter()
            .map(|f| defused(f.as_ref()).into_owned())
            .collect();
        let _ = w.write_record(&fields);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting_and_defuses_formulas() {
        let out = document(
            &["h1", "h2"],
            [vec!["a", "b,c", "say \"hi\"", "=1+1", "x\ny"]],
        );
        assert_eq!(
            out,
            "h1,h2\r\na,\"b,c\",\"say \"\"hi\"\"\",'=1+1,\"x\ny\"\r\n"
        );
    }

    /// Leading tabs and carriage returns are defused too (spreadsheets skip them and then
    /// read a formula), as are `+`, `-` and `@`.
    #[test]
    fn every_formula_start_is_defused() {
        for cell in [
            "\t=cmd|'/c calc'!A1",
            "\r=1+1",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "=HYPERLINK(\"x\")",
        ] {
            let out = document(&["c"], [vec![cell]]);
            let line = out.lines().nth(1).expect("a row").trim_matches('"');
            assert!(line.starts_with('\''), "{cell:?} -> {out:?}");
        }
        assert_eq!(document(&["c"], [vec!["plain"]]), "c\r\nplain\r\n");
    }
}
