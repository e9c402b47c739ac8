//! A minimal PDF 1.4 writer for text letters: headings, paragraphs and lines set in
//! Helvetica on A4 pages, with "Page N of M" at the foot of each page.
//!
//! Invariants: the output is a complete PDF 1.4 file whose cross-reference table gives the
//! exact byte offset of every object; text is encoded in WinAnsi (a character outside it
//! prints as `?`) and wrapped by the fonts' real glyph widths (Adobe's metrics for the
//! standard 14 fonts), so no line runs past the right margin; the same input always gives
//! the same bytes (the file's ID is a hash of its content). No I/O and no clock reads.
//!
//! Costs: the fonts are the standard ones every reader has, not embedded, and the content
//! streams are plain text, uncompressed, so a page of a letter is a few kilobytes and the
//! file can be read (and checked) with any text tool.

use sha2::{Digest, Sha256};

/// A piece of a document, laid out from the top of the page down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading in bold, with a gap before it; kept on the same page as the line after it.
    Heading(String),
    /// A paragraph, wrapped to the text width and followed by a half-line gap.
    Paragraph(String),
    /// A line, wrapped to the text width if it is too long, with no gap after it.
    Line(String),
    /// A blank line (none at the top of a page).
    Space,
}

/// A4 width, in points.
const PAGE_WIDTH_PT: u32 = 595;
/// A4 height, in points.
const PAGE_HEIGHT_PT: u32 = 842;
/// The margin on every side, in points.
const MARGIN_PT: u32 = 72;
/// The width text is wrapped to, in points.
const TEXT_WIDTH_PT: u32 = PAGE_WIDTH_PT - 2 * MARGIN_PT;
/// Body text size and the height of one line of it, in points.
const BODY_SIZE_PT: u32 = 11;
const BODY_LEADING_PT: u32 = 14;
/// Heading size and line height, in points.
const HEADING_SIZE_PT: u32 = 13;
const HEADING_LEADING_PT: u32 = 17;
/// The gap after a paragraph and before a heading: half a line, in points.
const GAP_PT: u32 = 7;
/// From a line's baseline up to the bottom of the line's box, in points.
const BASELINE_RAISE_PT: u32 = 4;
/// The page number's size and baseline, in points.
const FOOTER_SIZE_PT: u32 = 9;
const FOOTER_BASELINE_PT: u32 = 40;

/// One of the two fonts used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    /// Helvetica, resource `/F1`.
    Regular,
    /// Helvetica-Bold, resource `/F2`.
    Bold,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Self::Regular => "/F1",
            Self::Bold => "/F2",
        }
    }

    /// The advance width of WinAnsi code `code`, in thousandths of the font size.
    fn advance(self, code: u8) -> u32 {
        let table = match self {
            Self::Regular => &HELVETICA,
            Self::Bold => &HELVETICA_BOLD,
        };
        code.checked_sub(32)
            .map_or(0, |i| u32::from(table[usize::from(i)]))
    }

    /// The width of WinAnsi `text` set at `size_pt`, in thousandths of a point.
    fn width_millipoints(self, text: &[u8], size_pt: u32) -> u32 {
        text.iter().map(|c| self.advance(*c)).sum::<u32>() * size_pt
    }
}

/// The WinAnsi code of `c`, or `?` for a character outside WinAnsi; a tab is a space.
fn win_ansi(c: char) -> u8 {
    match c {
        '\t' => b' ',
        ' '..='~' | '\u{a0}'..='\u{ff}' => u8::try_from(u32::from(c)).unwrap_or(b'?'),
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        _ => b'?',
    }
}

/// `text` in WinAnsi, one byte a character.
fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

/// `text` wrapped to `width_pt` in `font` at `size_pt`: one WinAnsi line per entry. A
/// newline always breaks the line; runs of spaces collapse; a word longer than a line is
/// broken between characters. Always at least one line (empty for empty text).
fn wrap(text: &str, font: Font, size_pt: u32, width_pt: u32) -> Vec<Vec<u8>> {
    let max = width_pt * 1000;
    let space = font.width_millipoints(b" ", size_pt);
    let mut lines = Vec::new();
    for segment in text.split('\n') {
        let encoded = encode(segment.trim_end_matches('\r'));
        let mut line: Vec<u8> = Vec::new();
        let mut line_width = 0;
        for word in encoded.split(|c| *c == b' ').filter(|w| !w.is_empty()) {
            let word_width = font.width_millipoints(word, size_pt);
            if !line.is_empty() {
                if line_width + space + word_width <= max {
                    line.push(b' ');
                    line.extend_from_slice(word);
                    line_width += space + word_width;
                    continue;
                }
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word;
            while font.width_millipoints(rest, size_pt) > max {
                let mut n = 0;
                let mut w = 0;
                while n < rest.len() {
                    let next = w + font.advance(rest[n]) * size_pt;
                    if next > max {
                        break;
                    }
                    w = next;
                    n += 1;
                }
                // A single character wider than the line still goes on a line of its own.
                let n = n.max(1);
                lines.push(rest[..n].to_vec());
                rest = &rest[n..];
            }
            line = rest.to_vec();
            line_width = font.width_millipoints(rest, size_pt);
        }
        lines.push(line);
    }
    lines
}

/// Text placed on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    font: Font,
    size_pt: u32,
    /// From the left edge, in thousandths of a point.
    x_millipoints: u32,
    baseline_pt: u32,
    text: Vec<u8>,
}

/// Lays lines out down pages.
struct Layout {
    pages: Vec<Vec<Run>>,
    /// The top of the next line, in points from the bottom of the page.
    top_pt: u32,
}

const TOP_PT: u32 = PAGE_HEIGHT_PT - MARGIN_PT;

impl Layout {
    fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            top_pt: TOP_PT,
        }
    }

    fn at_page_top(&self) -> bool {
        self.top_pt == TOP_PT
    }

    /// Starts a new page unless `height_pt` more fits on this one (or this one is empty).
    fn ensure(&mut self, height_pt: u32) {
        if self.top_pt < MARGIN_PT + height_pt && !self.at_page_top() {
            self.pages.push(Vec::new());
            self.top_pt = TOP_PT;
        }
    }

    /// Leaves a gap, except at the top of a page.
    fn gap(&mut self, height_pt: u32) {
        if !self.at_page_top() {
            self.top_pt = self.top_pt.saturating_sub(height_pt).max(MARGIN_PT);
        }
    }

    fn line(&mut self, font: Font, size_pt: u32, leading_pt: u32, text: Vec<u8>) {
        self.ensure(leading_pt);
        let baseline_pt = (self.top_pt + BASELINE_RAISE_PT).saturating_sub(leading_pt);
        if !text.is_empty()
            && let Some(page) = self.pages.last_mut()
        {
            page.push(Run {
                font,
                size_pt,
                x_millipoints: MARGIN_PT * 1000,
                baseline_pt,
                text,
            });
        }
        self.top_pt = self.top_pt.saturating_sub(leading_pt);
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading(text) => {
                self.gap(GAP_PT);
                let lines = wrap(text, Font::Bold, HEADING_SIZE_PT, TEXT_WIDTH_PT);
                let count = u32::try_from(lines.len()).unwrap_or(u32::MAX);
                // Keep the heading with the line that follows it.
                self.ensure(
                    count
                        .saturating_mul(HEADING_LEADING_PT)
                        .saturating_add(BODY_LEADING_PT),
                );
                for line in lines {
                    self.line(Font::Bold, HEADING_SIZE_PT, HEADING_LEADING_PT, line);
                }
            }
            Block::Paragraph(text) => {
                for line in wrap(text, Font::Regular, BODY_SIZE_PT, TEXT_WIDTH_PT) {
                    self.line(Font::Regular, BODY_SIZE_PT, BODY_LEADING_PT, line);
                }
                self.gap(GAP_PT);
            }
            Block::Line(text) => {
                for line in wrap(text, Font::Regular, BODY_SIZE_PT, TEXT_WIDTH_PT) {
                    self.line(Font::Regular, BODY_SIZE_PT, BODY_LEADING_PT, line);
                }
            }
            Block::Space => {
                if !self.at_page_top() {
                    self.line(Font::Regular, BODY_SIZE_PT, BODY_LEADING_PT, Vec::new());
                }
            }
        }
    }
}

/// `text` as a PDF literal string: `(`, `)` and `\` escaped, bytes outside printable
/// ASCII written as octal escapes so the file stays plain text.
fn literal(text: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('(');
    for &c in text {
        match c {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(char::from(c));
            }
            b' '..=b'~' => out.push(char::from(c)),
            _ => out.push_str(&format!("\\{c:03o}")),
        }
    }
    out.push(')');
    out
}

/// `text` as a PDF text string (metadata): a literal when it is printable ASCII, else
/// UTF-16BE with a byte order mark, in hex.
fn text_string(text: &str) -> String {
    if text.chars().all(|c| (' '..='~').contains(&c)) {
        literal(text.as_bytes())
    } else {
        let mut out = String::from("<FEFF");
        for unit in text.encode_utf16() {
            out.push_str(&format!("{unit:04X}"));
        }
        out.push('>');
        out
    }
}

/// Thousandths of a point as a PDF number, e.g. `297.5`.
fn points(millipoints: u32) -> String {
    let whole = millipoints / 1000;
    let frac = millipoints % 1000;
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:03}")
            .trim_end_matches('0')
            .to_owned()
    }
}

/// Writes numbered objects and records where each starts.
struct Writer {
    out: Vec<u8>,
    /// The byte offset of object `i + 1`.
    offsets: Vec<usize>,
}

impl Writer {
    fn object(&mut self, number: usize, body: &[u8]) {
        debug_assert_eq!(
            number,
            self.offsets.len() + 1,
            "objects are written in order"
        );
        self.offsets.push(self.out.len());
        self.out
            .extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, number: usize, data: &[u8]) {
        let mut body = format!("<< /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.object(number, &body);
    }
}

/// Renders `blocks` on A4 pages (595×842 pt, 72 pt margins) in Helvetica 11 pt (headings
/// Helvetica-Bold 13 pt), with `title` and `created` in the document's information, and
/// returns the file's bytes.
pub fn render(title: &str, blocks: &[Block], created: jiff::Timestamp) -> Vec<u8> {
    let mut layout = Layout::new();
    for block in blocks {
        layout.block(block);
    }
    let pages = layout.pages;
    let page_count = pages.len();

    // Objects: 1 catalog, 2 page tree, 3 and 4 fonts, 5 information, then each page and
    // its content stream.
    let page_object = |i: usize| 6 + 2 * i;
    let mut w = Writer {
        out: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec(),
        offsets: Vec::new(),
    };
    w.object(
        1,
        b"<< /Type /Catalog /Pages 2 0 R /Lang (en-GB) /ViewerPreferences << /DisplayDocTitle true >> >>",
    );
    let kids = (0..page_count)
        .map(|i| format!("{} 0 R", page_object(i)))
        .collect::<Vec<_>>()
        .join(" ");
    w.object(
        2,
        format!("<< /Type /Pages /Kids [{kids}] /Count {page_count} >>").as_bytes(),
    );
    for (number, name) in [(3, "Helvetica"), (4, "Helvetica-Bold")] {
        w.object(
            number,
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>"
            )
            .as_bytes(),
        );
    }
    w.object(
        5,
        format!(
            "<< /Title {} /Producer (Custos) /CreationDate ({}) >>",
            text_string(title),
            created.strftime("D:%Y%m%d%H%M%SZ")
        )
        .as_bytes(),
    );
    for (i, runs) in pages.into_iter().enumerate() {
        let footer = encode(&format!("Page {} of {page_count}", i + 1));
        let footer_width = Font::Regular.width_millipoints(&footer, FOOTER_SIZE_PT);
        let footer = Run {
            font: Font::Regular,
            size_pt: FOOTER_SIZE_PT,
            x_millipoints: (PAGE_WIDTH_PT * 1000).saturating_sub(footer_width) / 2,
            baseline_pt: FOOTER_BASELINE_PT,
            text: footer,
        };
        let mut content = String::new();
        for run in runs.iter().chain([&footer]) {
            content.push_str(&format!(
                "BT {} {} Tf {} {} Td {} Tj ET\n",
                run.font.resource(),
                run.size_pt,
                points(run.x_millipoints),
                run.baseline_pt,
                literal(&run.text)
            ));
        }
        w.object(
            page_object(i),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH_PT} {PAGE_HEIGHT_PT}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> /ProcSet [/PDF /Text] >> /Contents {} 0 R >>",
                page_object(i) + 1
            )
            .as_bytes(),
        );
        w.stream(page_object(i) + 1, content.as_bytes());
    }

    let id = Sha256::digest(&w.out);
    let id = id[..16]
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<String>();
    let xref_offset = w.out.len();
    let size = w.offsets.len() + 1;
    let mut xref = format!("xref\n0 {size}\n0000000000 65535 f\r\n");
    for offset in &w.offsets {
        xref.push_str(&format!("{offset:010} 00000 n\r\n"));
    }
    xref.push_str(&format!(
        "trailer\n<< /Size {size} /Root 1 0 R /Info 5 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref_offset}\n%%EOF\n"
    ));
    let mut out = w.out;
    out.extend_from_slice(xref.as_bytes());
    out
}

/// Helvetica's advance widths (Adobe's AFM metrics) for WinAnsi codes 32 to 255, in
/// thousandths of the font size; codes WinAnsi leaves undefined are 0.
#[rustfmt::skip]
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 32..=47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 48..=63
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 64..=79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 80..=95
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 96..=111
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, // 112..=127
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 128..=143
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, // 144..=159
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 160..=175
    400, 584, 333, 333, 333, 578, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 176..=191
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 192..=207
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 208..=223
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 224..=239
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 240..=255
];

/// Helvetica-Bold's advance widths, as [`HELVETICA`].
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 32..=47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 48..=63
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 64..=79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 80..=95
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 96..=111
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, // 112..=127
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 128..=143
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, // 144..=159
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 160..=175
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 176..=191
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 192..=207
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 208..=223
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // 224..=239
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // 240..=255
];

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> jiff::Timestamp {
        "2026-01-05T09:30:00Z".parse().expect("timestamp")
    }

    /// The file as text, one character a byte, so byte offsets stay offsets.
    fn text(pdf: &[u8]) -> String {
        assert!(pdf[..15].contains(&0xe2), "the binary comment");
        pdf.iter()
            .map(|&b| if b.is_ascii() { char::from(b) } else { '~' })
            .collect()
    }

    /// The number after `key` in `pdf`, e.g. `/Count 3`.
    fn number_after(pdf: &str, key: &str) -> usize {
        let start = pdf.find(key).expect(key) + key.len();
        pdf[start..]
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a number")
    }

    fn long_text() -> Vec<Block> {
        let mut blocks = vec![Block::Heading("A long letter".to_owned())];
        for i in 0..60 {
            blocks.push(Block::Paragraph(format!(
                "Paragraph {i}: the footage of the main entrance was reviewed and kept while \
                 the request was dealt with, in line with the scheme's code of practice."
            )));
        }
        blocks
    }

    #[test]
    fn xref_offsets_point_at_every_object() {
        let pdf = render("Offsets", &long_text(), at());
        let s = text(&pdf);
        assert!(s.starts_with("%PDF-1.4\n%"), "header");
        assert!(s.ends_with("%%EOF\n"), "trailer");
        let xref_at = number_after(&s, "startxref\n");
        assert!(
            s[xref_at..].starts_with("xref\n0 "),
            "startxref points at the table"
        );
        let size = number_after(&s[xref_at..], "xref\n0 ");
        assert_eq!(size, number_after(&s, "/Size "));
        let table_start = xref_at + s[xref_at..].find('\n').expect("line") + 1;
        let table_start = table_start + s[table_start..].find('\n').expect("line") + 1;
        for i in 0..size {
            let entry = &pdf[table_start + 20 * i..table_start + 20 * (i + 1)];
            assert!(entry.ends_with(b"\r\n"), "entry {i} is 20 bytes");
            let entry = std::str::from_utf8(entry).expect("ascii");
            if i == 0 {
                assert_eq!(entry, "0000000000 65535 f\r\n");
                continue;
            }
            assert!(entry.ends_with(" 00000 n\r\n"), "{entry:?}");
            let offset: usize = entry[..10].parse().expect("offset");
            assert!(
                s[offset..].starts_with(&format!("{i} 0 obj\n")),
                "object {i} at {offset}"
            );
        }
        assert!(s[table_start + 20 * size..].starts_with("trailer\n"));
    }

    #[test]
    fn stream_lengths_are_exact() {
        let pdf = text(&render("Lengths", &long_text(), at()));
        let mut rest = pdf.as_str();
        let mut streams = 0;
        while let Some(i) = rest.find("<< /Length ") {
            let len = number_after(&rest[i..], "<< /Length ");
            let data = i + rest[i..].find("stream\n").expect("stream") + "stream\n".len();
            assert!(
                rest[data + len..].starts_with("\nendstream"),
                "length {len}"
            );
            rest = &rest[data + len..];
            streams += 1;
        }
        assert_eq!(streams, number_after(&pdf, "/Count "));
    }

    #[test]
    fn long_text_makes_several_pages_and_count_matches() {
        let pdf = text(&render("Pages", &long_text(), at()));
        let count = number_after(&pdf, "/Count ");
        assert!(count > 1, "{count} pages");
        assert_eq!(pdf.matches("/Type /Page ").count(), count);
        for n in 1..=count {
            assert!(pdf.contains(&format!("(Page {n} of {count})")), "page {n}");
        }
        let short = text(&render("One", &[Block::Paragraph("Short.".into())], at()));
        assert_eq!(number_after(&short, "/Count "), 1);
        assert!(short.contains("(Page 1 of 1)"));
    }

    #[test]
    fn nothing_is_set_outside_the_margins() {
        let mut layout = Layout::new();
        for block in long_text() {
            layout.block(&block);
        }
        for run in layout.pages.iter().flatten() {
            assert!(run.baseline_pt >= MARGIN_PT, "{}", run.baseline_pt);
            // Helvetica's tallest letters rise 0.718 of the size above the baseline.
            assert!(run.baseline_pt * 1000 + 718 * run.size_pt <= TOP_PT * 1000);
        }
    }

    #[test]
    fn win_ansi_maps_pound_and_curly_quotes() {
        assert_eq!(
            encode("£5 ‘a’ “b” – — • … € é ✓"),
            [
                0xa3, b'5', b' ', 0x91, b'a', 0x92, b' ', 0x93, b'b', 0x94, b' ', 0x96, b' ', 0x97,
                b' ', 0x95, b' ', 0x85, b' ', 0x80, b' ', 0xe9, b' ', b'?'
            ]
        );
        let pdf = text(&render("£", &[Block::Line("£10 ‘fee’".into())], at()));
        assert!(pdf.contains(r"(\24310 \221fee\222)"), "{pdf}");
        assert!(pdf.contains("/Encoding /WinAnsiEncoding"));
        assert!(
            pdf.contains("/Title <FEFF00A3>"),
            "non-ASCII titles are UTF-16"
        );
    }

    #[test]
    fn wrapping_never_exceeds_the_text_width() {
        let words = [
            "a",
            "footage",
            "WWWWWWWW",
            "iiiiiiiiiii",
            "£1,000",
            "Wycliffe",
            "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
        ];
        let text: String = (0..400)
            .map(|i| words[(i * 7 + i / 3) % words.len()])
            .collect::<Vec<_>>()
            .join(" ");
        for (font, size) in [(Font::Regular, BODY_SIZE_PT), (Font::Bold, HEADING_SIZE_PT)] {
            let lines = wrap(&text, font, size, TEXT_WIDTH_PT);
            assert!(lines.len() > 10);
            for line in &lines {
                assert!(
                    font.width_millipoints(line, size) <= TEXT_WIDTH_PT * 1000,
                    "{}",
                    String::from_utf8_lossy(line)
                );
            }
            // Nothing is lost: only spaces and line breaks differ.
            let joined: Vec<u8> = lines.concat().into_iter().filter(|c| *c != b' ').collect();
            let original: Vec<u8> = encode(&text).into_iter().filter(|c| *c != b' ').collect();
            assert_eq!(joined, original);
        }
        // A line is filled: the next word would not have fitted.
        let lines = wrap(&text, Font::Regular, BODY_SIZE_PT, TEXT_WIDTH_PT);
        for pair in lines.windows(2) {
            let next_word = pair[1].split(|c| *c == b' ').next().unwrap_or_default();
            let mut longer = pair[0].clone();
            longer.push(b' ');
            longer.extend_from_slice(next_word);
            assert!(Font::Regular.width_millipoints(&longer, BODY_SIZE_PT) > TEXT_WIDTH_PT * 1000);
        }
    }

    #[test]
    fn glyph_widths_are_adobes() {
        assert_eq!(Font::Regular.advance(b' '), 278);
        assert_eq!(Font::Regular.advance(b'a'), 556);
        assert_eq!(Font::Regular.advance(b'm'), 833);
        assert_eq!(Font::Regular.advance(b'i'), 222);
        assert_eq!(Font::Bold.advance(b'a'), 556);
        assert_eq!(Font::Bold.advance(b'm'), 889);
        assert_eq!(Font::Bold.advance(b'i'), 278);
        assert_eq!(Font::Regular.advance(0xa3), 556);
        assert_eq!(Font::Regular.width_millipoints(b"mi", 10), 10_550);
    }

    #[test]
    fn newlines_break_lines_and_empty_text_is_one_line() {
        assert_eq!(
            wrap("one\r\ntwo\n\nthree", Font::Regular, 11, 451),
            [
                b"one".to_vec(),
                b"two".to_vec(),
                Vec::new(),
                b"three".to_vec()
            ]
        );
        assert_eq!(wrap("", Font::Regular, 11, 451), [Vec::<u8>::new()]);
    }

    #[test]
    fn parentheses_and_backslashes_are_escaped() {
        let pdf = text(&render(
            "A (title) \\",
            &[Block::Paragraph(r"f(x) = \ (done".into())],
            at(),
        ));
        assert!(pdf.contains(r"(f\(x\) = \\ \(done)"), "{pdf}");
        assert!(pdf.contains(r"/Title (A \(title\) \\)"), "{pdf}");
    }

    #[test]
    fn info_has_title_producer_and_creation_date() {
        let pdf = text(&render("Letter", &[], at()));
        assert!(
            pdf.contains("/Title (Letter) /Producer (Custos) /CreationDate (D:20260105093000Z)")
        );
        assert_eq!(
            number_after(&pdf, "/Count "),
            1,
            "an empty document has a page"
        );
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(
            render("Same", &long_text(), at()),
            render("Same", &long_text(), at())
        );
        assert_ne!(
            render("Same", &long_text(), at()),
            render("Other", &long_text(), at())
        );
    }
}
