//! Bar charts drawn on the server as SVG, for the figures people would rather look at than
//! read (the Start page's recording, requests and retention charts).
//!
//! Invariants:
//! - No script and no styles: the SVG carries presentation attributes only (`fill`,
//!   `stroke`, `font-size`…), never a `style` attribute or element, which the
//!   Content-Security-Policy forbids.
//! - Every chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`
//!   (`aria-labelledby`), with axis labels, and scales to its container (`viewBox`,
//!   `width="100%"`).
//! - Beside every chart are the same figures as a `<table class="data">`: what the chart
//!   shows, a screen reader reads.
//! - A bar's height is proportional to its figure: figure ÷ the axis's top × the plot's
//!   height, the axis's top never below the largest figure (or stacked total).
//! - A chart with no figures, or only zeros, is not drawn: its empty-state sentence is
//!   shown instead.
//! - Colours meet the WCAG 2.1 non-text contrast ratio of 3:1 against white ([`Colour`]).
//! - All text is escaped here, so the HTML can be put in a template as it is.
//!
//! Costs: a string the size of the figures; nothing is cached.

use std::fmt::Write as _;

/// The colours a chart may use, each at least 3:1 against white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Colour {
    Blue,
    Green,
    Red,
    Grey,
}

impl Colour {
    /// Every colour, for the contrast test.
    #[cfg(test)]
    const ALL: &'static [Colour] = &[Colour::Blue, Colour::Green, Colour::Red, Colour::Grey];

    /// The colour as `#rrggbb`.
    pub(crate) fn hex(self) -> &'static str {
        match self {
            Colour::Blue => "#1d70b8",
            Colour::Green => "#00703c",
            Colour::Red => "#d4351c",
            Colour::Grey => "#505a5f",
        }
    }
}

/// Text colour: near black.
const INK: &str = "#0b0c0c";

/// One series of figures: a bar in each category, in one colour.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    /// Its name, in the legend and the table's heading.
    pub(crate) name: String,
    pub(crate) colour: Colour,
}

/// A bar chart: categories along the bottom, one bar per series in each (side by side,
/// or stacked).
#[derive(Debug, Clone)]
pub(crate) struct BarChart {
    /// The figure's id; the SVG's title and description take it as their ids' prefix.
    pub(crate) id: String,
    /// What the chart shows, in a few words (the SVG's title).
    pub(crate) title: String,
    /// A sentence under the chart: what is counted, and how.
    pub(crate) caption: String,
    /// What the categories are, e.g. "Hour" (the bottom axis and the table's first column).
    pub(crate) category_label: String,
    /// What the figures are, e.g. "Cameras" (the side axis).
    pub(crate) value_label: String,
    /// The categories, left to right.
    pub(crate) categories: Vec<String>,
    /// The series.
    pub(crate) series: Vec<Series>,
    /// The figures: one row per category, one figure per series.
    pub(crate) values: Vec<Vec<u64>>,
    /// Whether the series stack in one bar per category.
    pub(crate) stacked: bool,
    /// The side axis's top, when it has a natural one (e.g. the number of cameras); the
    /// largest figure if that is larger.
    pub(crate) axis_max: Option<u64>,
    /// The sentence shown instead when there is nothing to draw.
    pub(crate) empty: String,
}

/// The drawing's size in its own units; it scales to the container.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const BOTTOM: f64 = 56.0;
/// The most category labels written along the bottom; others are left out (every
/// category is in the table).
const MAX_LABELS: usize = 12;
/// The longest category label written in full along the bottom.
const LABEL_CHARS: usize = 14;

/// `s` escaped for XML text and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `x` with at most one decimal, for coordinates.
fn num(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// The smallest "round" number (1, 2 or 5 times a power of ten) at or above `n`.
fn nice_ceiling(n: u64) -> u64 {
    if n <= 5 {
        return n.max(1);
    }
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            let c = step.saturating_mul(m);
            if c >= n {
                return c;
            }
        }
        step = step.saturating_mul(10);
    }
}

impl BarChart {
    /// The tallest bar's figure: the largest figure, or the largest stacked total.
    fn largest(&self) -> u64 {
        self.values
            .iter()
            .map(|row| {
                if self.stacked {
                    row.iter().sum()
                } else {
                    row.iter().copied().max().unwrap_or(0)
                }
            })
            .max()
            .unwrap_or(0)
    }

    /// Whether there is nothing to draw.
    pub(crate) fn is_empty(&self) -> bool {
        self.categories.is_empty() || self.largest() == 0
    }

    /// The side axis's top.
    fn top(&self) -> u64 {
        let largest = self.largest();
        match self.axis_max {
            Some(m) if m >= largest => m.max(1),
            _ => nice_ceiling(largest),
        }
    }

    /// The figure: the chart, its caption and its figures as a table; or, with nothing to
    /// draw, the empty-state sentence.
    pub(crate) fn html(&self) -> String {
        let id = escape(&self.id);
        if self.is_empty() {
            return format!("<p class=\"empty\" id=\"{id}\">{}</p>", escape(&self.empty));
        }
        format!(
            "<figure class=\"chart\" id=\"{id}\">{}<figcaption>{}</figcaption><details><summary>The figures</summary>{}</details></figure>",
            self.svg(),
            escape(&self.caption),
            self.table()
        )
    }

    /// The chart as SVG.
    pub(crate) fn svg(&self) -> String {
        let id = escape(&self.id);
        let legend = if self.series.len() > 1 { 24.0 } else { 0.0 };
        let top_margin = 16.0 + legend;
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - top_margin - BOTTOM;
        let base = top_margin + plot_h;
        let top = self.top();
        let mut s = String::new();
        let _ = write!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {} {}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\">",
            num(WIDTH),
            num(HEIGHT)
        );
        let _ = write!(
            s,
            "<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            escape(&self.title),
            escape(&self.caption)
        );
        let _ = write!(
            s,
            "<g font-family=\"Arial, sans-serif\" font-size=\"12\" fill=\"{INK}\">"
        );
        // Legend.
        if self.series.len() > 1 {
            let mut x = LEFT;
            for series in &self.series {
                let _ = write!(
                    s,
                    "<rect x=\"{}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"18\">{}</text>",
                    num(x),
                    series.colour.hex(),
                    num(x + 16.0),
                    escape(&series.name)
                );
                x += 16.0 + 7.0 * series.name.chars().count() as f64 + 20.0;
            }
        }
        // The side axis: its line, three figures and its label.
        let mut ticks = vec![0, top / 2, top];
        ticks.dedup();
        for tick in ticks {
            let y = base - plot_h * tick as f64 / top as f64;
            let _ = write!(
                s,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#b1b4b6\" stroke-width=\"1\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{tick}</text>",
                num(LEFT),
                num(y),
                num(LEFT + plot_w),
                num(y),
                num(LEFT - 6.0),
                num(y + 4.0)
            );
        }
        let mid = top_margin + plot_h / 2.0;
        let _ = write!(
            s,
            "<text x=\"14\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">{}</text>",
            num(mid),
            num(mid),
            escape(&self.value_label)
        );
        // The bars.
        let n = self.categories.len();
        let band = plot_w / n as f64;
        let every = n.div_ceil(MAX_LABELS).max(1);
        for (i, (category, row)) in self.categories.iter().zip(&self.values).enumerate() {
            let x0 = LEFT + band * i as f64;
            let mut stack = 0u64;
            let groups = if self.stacked {
                1
            } else {
                self.series.len().max(1)
            };
            let bar_w = band * 0.8 / groups as f64;
            for (j, (series, value)) in self.series.iter().zip(row).enumerate() {
                let value = *value;
                let (x, bottom) = if self.stacked {
                    (x0 + band * 0.1, stack)
                } else {
                    (x0 + band * 0.1 + bar_w * j as f64, 0)
                };
                stack += value;
                if value == 0 {
                    continue;
                }
                let h = plot_h * value as f64 / top as f64;
                let y = base - plot_h * bottom as f64 / top as f64 - h;
                let _ = write!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" data-value=\"{value}\"><title>{}: {value} ({})</title></rect>",
                    num(x),
                    num(y),
                    num(bar_w),
                    num(h),
                    series.colour.hex(),
                    escape(category),
                    escape(&series.name)
                );
            }
            if i % every == 0 {
                let label: String = if category.chars().count() > LABEL_CHARS {
                    let cut: String = category.chars().take(LABEL_CHARS - 1).collect();
                    format!("{cut}…")
                } else {
                    category.clone()
                };
                let _ = write!(
                    s,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    num(x0 + band / 2.0),
                    num(base + 16.0),
                    escape(&label)
                );
            }
        }
        // The bottom axis and its label.
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#505a5f\" stroke-width=\"1\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            num(LEFT),
            num(base),
            num(LEFT + plot_w),
            num(base),
            num(LEFT + plot_w / 2.0),
            num(HEIGHT - 12.0),
            escape(&self.category_label)
        );
        s.push_str("</g></svg>");
        s
    }

    /// The same figures as a table.
    pub(crate) fn table(&self) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "<div class=\"table-wrap\"><table class=\"data\" id=\"{}-figures\"><caption>{}</caption><thead><tr><th scope=\"col\">{}</th>",
            escape(&self.id),
            escape(&self.title),
            escape(&self.category_label)
        );
        for series in &self.series {
            let _ = write!(s, "<th scope=\"col\">{}</th>", escape(&series.name));
        }
        s.push_str("</tr></thead><tbody>");
        for (category, row) in self.categories.iter().zip(&self.values) {
            let _ = write!(s, "<tr><th scope=\"row\">{}</th>", escape(category));
            for value in row {
                let _ = write!(s, "<td>{value}</td>");
            }
            s.push_str("</tr>");
        }
        s.push_str("</tbody></table></div>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(values: Vec<Vec<u64>>, series: usize, stacked: bool) -> BarChart {
        let colours = [Colour::Green, Colour::Red, Colour::Grey];
        BarChart {
            id: "chart-test".to_owned(),
            title: "Requests <answered> & \"more\"".to_owned(),
            caption: "Each month's requests.".to_owned(),
            category_label: "Month".to_owned(),
            value_label: "Requests".to_owned(),
            categories: (0..values.len()).map(|i| format!("M{i}")).collect(),
            series: (0..series)
                .map(|j| Series {
                    name: format!("S{j}"),
                    colour: colours[j % colours.len()],
                })
                .collect(),
            values,
            stacked,
            axis_max: None,
            empty: "Nothing to show.".to_owned(),
        }
    }

    /// A small well-formedness check: every tag closes in order, attribute values are
    /// quoted, and `&` starts only the five XML entities or a numeric one.
    fn well_formed(xml: &str) -> Result<(), String> {
        let mut open: Vec<String> = Vec::new();
        let mut rest = xml;
        while let Some(i) = rest.find(['<', '&']) {
            let text = &rest[..i];
            if text.contains('>') {
                return Err(format!("a stray '>' in {text:?}"));
            }
            rest = &rest[i..];
            if rest.starts_with('&') {
                let end = rest.find(';').ok_or("an entity without ';'")?;
                let name = &rest[1..end];
                let known = ["amp", "lt", "gt", "quot", "apos"].contains(&name)
                    || (name.starts_with('#') && name[1..].chars().all(|c| c.is_ascii_digit()));
                if !known {
                    return Err(format!("unknown entity &{name};"));
                }
                rest = &rest[end + 1..];
                continue;
            }
            let end = rest.find('>').ok_or("a tag without '>'")?;
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                match open.pop() {
                    Some(o) if o == name => {}
                    o => return Err(format!("</{name}> closes {o:?}")),
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name: String = tag.chars().take_while(|c| !c.is_whitespace()).collect();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!("a bad tag name in <{tag}>"));
            }
            // Attributes: name="value", values without '<' or a bare quote.
            let mut attrs = tag[name.len()..].trim();
            while !attrs.is_empty() {
                let eq = attrs
                    .find("=\"")
                    .ok_or(format!("an unquoted attribute in <{tag}>"))?;
                let attr = &attrs[..eq];
                if attr.is_empty() || !attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    return Err(format!("a bad attribute name {attr:?}"));
                }
                let after = &attrs[eq + 2..];
                let close = after.find('"').ok_or("an attribute value not closed")?;
                if after[..close].contains('<') {
                    return Err("'<' in an attribute value".to_owned());
                }
                attrs = after[close + 1..].trim_start();
            }
            if !self_closing {
                open.push(name);
            }
        }
        if open.is_empty() {
            Ok(())
        } else {
            Err(format!("not closed: {open:?}"))
        }
    }

    /// `(value, height)` of every bar.
    fn bars(svg: &str) -> Vec<(u64, f64)> {
        let attr = |tag: &str, name: &str| -> String {
            tag.split(&format!(" {name}=\""))
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_default()
                .to_owned()
        };
        svg.split("<rect ")
            .skip(1)
            .filter(|t| t.contains("data-value"))
            .map(|t| {
                let tag = format!(" {}", t.split('>').next().unwrap_or_default());
                (
                    attr(&tag, "data-value").parse().expect("value"),
                    attr(&tag, "height").parse().expect("height"),
                )
            })
            .collect()
    }

    #[test]
    fn the_svg_is_well_formed_xml_labelled_by_its_title_and_without_styles() {
        let c = chart(vec![vec![3, 1], vec![0, 2], vec![5, 0]], 2, false);
        let svg = c.svg();
        well_formed(&svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        well_formed(&c.html()).unwrap_or_else(|e| panic!("{e}: {}", c.html()));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-test-title chart-test-desc\""));
        assert!(svg.contains("viewBox=\"0 0 720 300\" width=\"100%\""));
        assert!(svg.contains(
            "<title id=\"chart-test-title\">Requests &lt;answered&gt; &amp; &quot;more&quot;</title>"
        ));
        assert!(svg.contains(">Month</text>") && svg.contains(">Requests</text>"));
        assert!(!svg.contains("style"), "{svg}");
        assert!(!svg.contains("<script"), "{svg}");
        // Each figure of the side axis once, even when the top is 1.
        let one = chart(vec![vec![1]], 1, false).svg();
        assert_eq!(
            one.matches("text-anchor=\"end\">0</text>").count(),
            1,
            "{one}"
        );
        // The broken markup the checker is for is caught.
        assert!(well_formed("<svg><g></svg>").is_err());
        assert!(well_formed("<svg a=b></svg>").is_err());
        assert!(well_formed("<t>a & b</t>").is_err());
    }

    #[test]
    fn bar_heights_are_proportional_to_the_figures() {
        let c = chart(vec![vec![10], vec![5], vec![2], vec![0]], 1, false);
        let b = bars(&c.svg());
        assert_eq!(b.len(), 3, "no bar for a zero: {b:?}");
        let (v0, h0) = b[0];
        for (v, h) in &b {
            let expected = h0 * *v as f64 / v0 as f64;
            assert!(
                (h - expected).abs() <= 0.2,
                "{v} drawn {h}, expected {expected}"
            );
        }
        // The axis's top (10) is the plot's full height.
        assert_eq!(h0, HEIGHT - 16.0 - BOTTOM);

        // Stacked: each part proportional to its figure, on the same scale.
        let c = chart(vec![vec![6, 2], vec![1, 0]], 2, true);
        let b = bars(&c.svg());
        assert_eq!(b.len(), 3);
        let unit = b[0].1 / b[0].0 as f64;
        for (v, h) in &b {
            assert!((h - unit * *v as f64).abs() <= 0.2, "{v} drawn {h}");
        }

        // A fixed axis top (the cameras in the register) scales every bar to it.
        let mut c = chart(vec![vec![2]], 1, false);
        c.axis_max = Some(4);
        let b = bars(&c.svg());
        assert!(
            (b[0].1 - (HEIGHT - 16.0 - BOTTOM) / 2.0).abs() <= 0.2,
            "{b:?}"
        );
    }

    #[test]
    fn nothing_to_draw_gives_the_empty_state() {
        for c in [
            chart(Vec::new(), 1, false),
            chart(vec![vec![0], vec![0]], 1, false),
            chart(vec![vec![0, 0]], 2, true),
        ] {
            assert!(c.is_empty());
            assert_eq!(
                c.html(),
                "<p class=\"empty\" id=\"chart-test\">Nothing to show.</p>"
            );
        }
        assert!(!chart(vec![vec![0], vec![1]], 1, false).is_empty());
    }

    #[test]
    fn the_table_carries_the_same_figures_as_the_bars() {
        let c = chart(vec![vec![3, 1], vec![0, 2], vec![7, 4]], 2, true);
        let html = c.html();
        assert!(
            html.contains("<details><summary>The figures</summary><div class=\"table-wrap\"><table class=\"data\""),
            "{html}"
        );
        assert!(html.contains(
            "<th scope=\"col\">Month</th><th scope=\"col\">S0</th><th scope=\"col\">S1</th>"
        ));
        for (i, row) in c.values.iter().enumerate() {
            let cells: String = row.iter().map(|v| format!("<td>{v}</td>")).collect();
            assert!(
                html.contains(&format!("<tr><th scope=\"row\">M{i}</th>{cells}</tr>")),
                "{html}"
            );
        }
        // Every non-zero figure is a bar, and every bar a figure of the table.
        let mut drawn: Vec<u64> = bars(&c.svg()).iter().map(|(v, _)| *v).collect();
        let mut figures: Vec<u64> = c
            .values
            .iter()
            .flatten()
            .copied()
            .filter(|v| *v > 0)
            .collect();
        drawn.sort_unstable();
        figures.sort_unstable();
        assert_eq!(drawn, figures);
    }

    /// WCAG 2.1 non-text contrast: every chart colour is at least 3:1 against white.
    #[test]
    fn every_colour_contrasts_three_to_one_with_white() {
        let luminance = |hex: &str| {
            let channel = |i: usize| {
                let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
                if c <= 0.039_28 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
        };
        for c in Colour::ALL {
            let ratio = 1.05 / (luminance(c.hex()) + 0.05);
            assert!(ratio >= 3.0, "{c:?} {} is {ratio:.2}:1", c.hex());
        }
    }

    #[test]
    fn round_axis_tops() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(4), 4);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(12), 20);
        assert_eq!(nice_ceiling(31), 50);
        assert_eq!(nice_ceiling(101), 200);
    }
}
