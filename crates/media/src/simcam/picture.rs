//! The simulated cameras' pictures: a static per-camera background (colour bars over a grey
//! ramp) with a text box in the top-left corner showing the camera's name, the UTC date, the
//! UTC wall-clock time to the millisecond and the frame number, drawn with the built-in
//! [`super::font`]. [`read_overlay`] reads that text back from a decoded picture, so tests of
//! the recorder can check the identity and time of recorded footage (LBU-15).
//!
//! Invariants: pictures are 8-bit YUV 4:2:0 in limited (studio) range, BT.709 colours, sized
//! to whole 16×16 macroblocks (the displayed size is cropped from the top-left); between two
//! frames of one camera only the text box can differ, and the text box lies on whole
//! macroblocks, so the encoder's change detection finds exactly the macroblocks whose
//! characters changed. Cost: painting a frame touches only the text box.

use super::font::{self, CELL_WIDTH, GLYPH_HEIGHT, GLYPH_WIDTH};

/// Luma of the text box.
const BOX_LUMA: u8 = 16;
/// Luma of the text.
const INK_LUMA: u8 = 235;
/// Chroma of grey (neither blue nor red).
const NEUTRAL_CHROMA: u8 = 128;
/// Distance of the text box from the picture's top and left edges, in pixels.
const BOX_OFFSET_PX: usize = 16;
/// Lines of text in the box.
const LINES: usize = 4;
/// Characters per line of the box; longer text is cut.
pub(crate) const LINE_CHARS: usize = 19;
/// Vertical advance from one line to the next, in font pixels.
const LINE_PITCH: usize = 10;
/// Space between the box's edge and its text, in font pixels.
const BOX_PADDING: usize = 2;
/// The largest scale (screen pixels per font pixel) used.
const MAX_SCALE: usize = 4;
/// The smallest picture the text fits on, in pixels.
pub(crate) const MIN_WIDTH_PX: u32 = 160;
/// The smallest picture the text fits on, in pixels.
pub(crate) const MIN_HEIGHT_PX: u32 = 96;

/// One picture's planes at the coded (macroblock-aligned) size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Planes {
    /// Coded width in luma samples, a multiple of 16.
    pub(crate) width: usize,
    /// Coded height in luma samples, a multiple of 16.
    pub(crate) height: usize,
    /// Luma, `width × height`, row by row.
    pub(crate) y: Vec<u8>,
    /// Blue-difference chroma, `width/2 × height/2`.
    pub(crate) cb: Vec<u8>,
    /// Red-difference chroma, `width/2 × height/2`.
    pub(crate) cr: Vec<u8>,
}

impl Planes {
    /// A picture of `width × height` (multiples of 16) filled with one colour.
    pub(crate) fn filled(width: usize, height: usize, (y, cb, cr): (u8, u8, u8)) -> Self {
        debug_assert!(width.is_multiple_of(16) && height.is_multiple_of(16));
        Self {
            width,
            height,
            y: vec![y; width * height],
            cb: vec![cb; width * height / 4],
            cr: vec![cr; width * height / 4],
        }
    }

    /// Fills a rectangle (luma coordinates, clipped to the picture) with luma only.
    fn fill_luma(&mut self, x: usize, y: usize, w: usize, h: usize, value: u8) {
        let x_end = (x + w).min(self.width);
        let y_end = (y + h).min(self.height);
        for row in y.min(y_end)..y_end {
            let start = row * self.width;
            self.y[start + x.min(x_end)..start + x_end].fill(value);
        }
    }

    /// Fills a rectangle with even corners (luma coordinates) in all three planes.
    fn fill(&mut self, x: usize, y: usize, w: usize, h: usize, (luma, cb, cr): (u8, u8, u8)) {
        debug_assert!(
            x.is_multiple_of(2)
                && y.is_multiple_of(2)
                && w.is_multiple_of(2)
                && h.is_multiple_of(2)
        );
        self.fill_luma(x, y, w, h, luma);
        let chroma_width = self.width / 2;
        let x_end = ((x + w) / 2).min(chroma_width);
        let y_end = ((y + h) / 2).min(self.height / 2);
        for row in (y / 2).min(y_end)..y_end {
            let start = row * chroma_width;
            let range = start + (x / 2).min(x_end)..start + x_end;
            self.cb[range.clone()].fill(cb);
            self.cr[range].fill(cr);
        }
    }
}

/// Where the text box and its characters lie for one picture size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Screen pixels per font pixel.
    pub(crate) scale: usize,
    /// Left edge of the first character.
    text_x: usize,
    /// Top edge of the first line.
    text_y: usize,
    /// Text box width, a multiple of 16.
    box_width: usize,
    /// Text box height, a multiple of 16.
    box_height: usize,
}

impl Layout {
    /// The layout for a displayed picture of `width × height` pixels (at least
    /// [`MIN_WIDTH_PX`] × [`MIN_HEIGHT_PX`]): the largest scale up to 4 at which the box fits.
    pub(crate) fn for_size(width: usize, height: usize) -> Self {
        // 120 font pixels cover a line of 19 cells plus padding; 64 keeps the box within
        // half the height or so. Both leave the box inside the picture (see the tests).
        let scale = (width.saturating_sub(32) / 120)
            .min(height / 64)
            .clamp(1, MAX_SCALE);
        let inner_width = (LINE_CHARS * CELL_WIDTH - 1 + 2 * BOX_PADDING) * scale;
        let inner_height = ((LINES - 1) * LINE_PITCH + GLYPH_HEIGHT + 2 * BOX_PADDING) * scale;
        Self {
            scale,
            text_x: BOX_OFFSET_PX + BOX_PADDING * scale,
            text_y: BOX_OFFSET_PX + BOX_PADDING * scale,
            box_width: inner_width.next_multiple_of(16),
            box_height: inner_height.next_multiple_of(16),
        }
    }

    /// The text box as `(x, y, width, height)` in pixels.
    pub(crate) fn text_box(&self) -> (usize, usize, usize, usize) {
        (
            BOX_OFFSET_PX,
            BOX_OFFSET_PX,
            self.box_width,
            self.box_height,
        )
    }

    /// Top-left pixel of font pixel (`col`, `row`) of character `index` on line `line`.
    fn font_pixel(&self, line: usize, index: usize, col: usize, row: usize) -> (usize, usize) {
        (
            self.text_x + (index * CELL_WIDTH + col) * self.scale,
            self.text_y + (line * LINE_PITCH + row) * self.scale,
        )
    }
}

/// Paints one camera's frames.
#[derive(Debug, Clone)]
pub(crate) struct Painter {
    name: String,
    layout: Layout,
    background: Planes,
}

impl Painter {
    /// The painter for camera `camera_number` (1-based) with the displayed size
    /// `width × height` (even, at least [`MIN_WIDTH_PX`] × [`MIN_HEIGHT_PX`]).
    pub(crate) fn new(camera_number: usize, name: &str, width: usize, height: usize) -> Self {
        Self {
            name: name.to_owned(),
            layout: Layout::for_size(width, height),
            background: background(camera_number, width, height),
        }
    }

    /// A picture holding the background alone, to paint frames into.
    pub(crate) fn blank(&self) -> Planes {
        self.background.clone()
    }

    /// Paints the text box of frame `frame_number` taken at `unix_ms` into `frame` (a picture
    /// from [`Painter::blank`]). Everything outside the box is left as it is.
    pub(crate) fn paint(&self, frame: &mut Planes, frame_number: u64, unix_ms: i64) {
        let (x, y, w, h) = self.layout.text_box();
        frame.fill(x, y, w, h, (BOX_LUMA, NEUTRAL_CHROMA, NEUTRAL_CHROMA));
        for (line, text) in overlay_lines(&self.name, frame_number, unix_ms)
            .iter()
            .enumerate()
        {
            self.draw_line(frame, line, text);
        }
    }

    fn draw_line(&self, frame: &mut Planes, line: usize, text: &str) {
        let s = self.layout.scale;
        for (index, c) in text.chars().take(LINE_CHARS).enumerate() {
            let glyph = font::glyph(c);
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..GLYPH_WIDTH {
                    if bits & (1 << (GLYPH_WIDTH - 1 - col)) != 0 {
                        let (px, py) = self.layout.font_pixel(line, index, col, row);
                        frame.fill_luma(px, py, s, s, INK_LUMA);
                    }
                }
            }
        }
    }
}

/// The four lines of the text box: name, `YYYY-MM-DD`, `HH:MM:SS.mmm UTC`, `frame NNNNNNNN`.
fn overlay_lines(name: &str, frame_number: u64, unix_ms: i64) -> [String; LINES] {
    let t = CivilTime::from_unix_ms(unix_ms);
    [
        name.to_owned(),
        format!("{:04}-{:02}-{:02}", t.year, t.month, t.day),
        format!(
            "{:02}:{:02}:{:02}.{:03} UTC",
            t.hour, t.minute, t.second, t.millisecond
        ),
        format!("frame {frame_number:08}"),
    ]
}

/// What a simulated camera's picture says about itself, read back by [`read_overlay`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlay {
    /// The camera's name, e.g. `Simulated camera 2`.
    pub camera_name: String,
    /// The UTC wall-clock time the frame shows, in milliseconds since the Unix epoch. It is
    /// the same instant the stream's RTCP sender reports give for the frame's RTP timestamp.
    pub unix_ms: i64,
    /// The frame's number, counted from 0 when the camera started.
    pub frame_number: u64,
}

/// Reads the text box of a decoded simulated-camera picture: `luma` is its luma (or grey)
/// plane, `width × height` bytes row by row, at the size the camera was configured with.
/// Returns `None` when the picture holds no readable text box (another source, another size,
/// or damaged text).
pub fn read_overlay(luma: &[u8], width: u32, height: u32) -> Option<Overlay> {
    let (width, height) = (width as usize, height as usize);
    if width < MIN_WIDTH_PX as usize
        || height < MIN_HEIGHT_PX as usize
        || luma.len() < width * height
    {
        return None;
    }
    let layout = Layout::for_size(width, height);
    let threshold = (u16::from(BOX_LUMA) + u16::from(INK_LUMA)) / 2;
    let mut lines = Vec::with_capacity(LINES);
    for line in 0..LINES {
        let mut text = String::with_capacity(LINE_CHARS);
        for index in 0..LINE_CHARS {
            let mut pattern = [0u8; GLYPH_HEIGHT];
            for (row, bits) in pattern.iter_mut().enumerate() {
                for col in 0..GLYPH_WIDTH {
                    let (x, y) = layout.font_pixel(line, index, col, row);
                    let (x, y) = (x + layout.scale / 2, y + layout.scale / 2);
                    if u16::from(*luma.get(y * width + x)?) > threshold {
                        *bits |= 1 << (GLYPH_WIDTH - 1 - col);
                    }
                }
            }
            text.push(font::character(&pattern)?);
        }
        lines.push(text.trim_end().to_owned());
    }
    let date = lines[1].as_str();
    let time = lines[2].strip_suffix(" UTC")?;
    let frame_number = lines[3].strip_prefix("frame ")?.parse().ok()?;
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (year, rest) = date.split_once('-')?;
    let (month, day) = rest.split_once('-')?;
    let (hour, rest) = time.split_once(':')?;
    let (minute, rest) = rest.split_once(':')?;
    let (second, millisecond) = rest.split_once('.')?;
    let civil = CivilTime {
        year: number(year)?,
        month: number(month)?,
        day: number(day)?,
        hour: number(hour)?,
        minute: number(minute)?,
        second: number(second)?,
        millisecond: number(millisecond)?,
    };
    Some(Overlay {
        camera_name: lines[0].clone(),
        unix_ms: civil.to_unix_ms()?,
        frame_number,
    })
}

/// A UTC calendar date and time of day (proleptic Gregorian calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CivilTime {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millisecond: i64,
}

impl CivilTime {
    fn from_unix_ms(unix_ms: i64) -> Self {
        let days = unix_ms.div_euclid(86_400_000);
        let ms_of_day = unix_ms.rem_euclid(86_400_000);
        // Shift the epoch to 0000-03-01 so leap days fall at the end of a year, then count
        // 400-year eras (146,097 days each).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Self {
            year,
            month,
            day,
            hour: ms_of_day / 3_600_000,
            minute: ms_of_day / 60_000 % 60,
            second: ms_of_day / 1_000 % 60,
            millisecond: ms_of_day % 1_000,
        }
    }

    /// The instant, or `None` when a field is out of range.
    fn to_unix_ms(self) -> Option<i64> {
        let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let leap = self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0);
        let max_day = if self.month == 2 && leap {
            29
        } else {
            *month_days.get(usize::try_from(self.month - 1).ok()?)?
        };
        if !(1..=max_day).contains(&self.day)
            || self.hour > 23
            || self.minute > 59
            || self.second > 59
            || self.millisecond > 999
        {
            return None;
        }
        let year = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        };
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month_from_march = (self.month + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + self.day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        let days = era * 146_097 + day_of_era - 719_468;
        Some(
            days * 86_400_000
                + self.hour * 3_600_000
                + self.minute * 60_000
                + self.second * 1_000
                + self.millisecond,
        )
    }
}

/// A BT.709 limited-range colour from 8-bit R'G'B'.
fn yuv_from_rgb(r: u8, g: u8, b: u8) -> (u8, u8, u8) {
    let (r, g, b) = (f64::from(r), f64::from(g), f64::from(b));
    let luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let y = 16.0 + luma * 219.0 / 255.0;
    let cb = 128.0 + (b - luma) / 1.8556 * 224.0 / 255.0;
    let cr = 128.0 + (r - luma) / 1.5748 * 224.0 / 255.0;
    let clamp = |v: f64| v.round().clamp(16.0, 240.0) as u8;
    (clamp(y).min(235), clamp(cb), clamp(cr))
}

/// Camera `camera_number`'s background at the coded size for a `width × height` display:
/// seven 75 % colour bars (their order rotated by camera, so cameras look different) over the
/// top two thirds, a left-to-right grey ramp below.
fn background(camera_number: usize, width: usize, height: usize) -> Planes {
    const BARS: [(u8, u8, u8); 7] = [
        (191, 191, 191),
        (191, 191, 0),
        (0, 191, 191),
        (0, 191, 0),
        (191, 0, 191),
        (191, 0, 0),
        (0, 0, 191),
    ];
    let colours = BARS.map(|(r, g, b)| yuv_from_rgb(r, g, b));
    let coded_width = width.next_multiple_of(16);
    let coded_height = height.next_multiple_of(16);
    let mut planes = Planes::filled(coded_width, coded_height, (16, 128, 128));
    let bars_height = (height * 2 / 3) & !1;
    for x in (0..coded_width).step_by(2) {
        let bar = (x * BARS.len() / width + camera_number.saturating_sub(1)) % BARS.len();
        planes.fill(x, 0, 2, bars_height, colours[bar]);
        let ramp = 16 + (x * 219 / width).min(219);
        let grey = (ramp as u8, NEUTRAL_CHROMA, NEUTRAL_CHROMA);
        planes.fill(x, bars_height, 2, coded_height - bars_height, grey);
    }
    planes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn display_luma(planes: &Planes, width: usize, height: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(width * height);
        for row in 0..height {
            out.extend_from_slice(&planes.y[row * planes.width..row * planes.width + width]);
        }
        out
    }

    #[test]
    fn civil_time_round_trips_and_matches_known_dates() {
        let known = [
            (0, "1970-01-01 00:00:00.000"),
            (951_782_400_000, "2000-02-29 00:00:00.000"),
            (1_767_225_599_999, "2025-12-31 23:59:59.999"),
            (-1, "1969-12-31 23:59:59.999"),
        ];
        for (ms, text) in known {
            let t = CivilTime::from_unix_ms(ms);
            let shown = format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
                t.year, t.month, t.day, t.hour, t.minute, t.second, t.millisecond
            );
            assert_eq!(shown, text);
            assert_eq!(t.to_unix_ms(), Some(ms));
        }
        for ms in (0..4_000_000_000_000i64).step_by(86_399_999_937) {
            assert_eq!(CivilTime::from_unix_ms(ms).to_unix_ms(), Some(ms));
        }
        let mut bad = CivilTime::from_unix_ms(0);
        bad.month = 2;
        bad.day = 29;
        assert_eq!(bad.to_unix_ms(), None, "1970 is not a leap year");
    }

    #[test]
    fn the_text_box_fits_on_every_allowed_size_and_lies_on_macroblocks() {
        for (w, h) in [(160, 96), (176, 144), (320, 240), (1280, 720), (1920, 1080)] {
            let layout = Layout::for_size(w, h);
            let (x, y, bw, bh) = layout.text_box();
            assert!(x + bw <= w && y + bh <= h, "{w}x{h}: box {bw}x{bh}");
            assert!([x, y, bw, bh].iter().all(|v| v.is_multiple_of(16)));
            let (last_x, last_y) = layout.font_pixel(LINES - 1, LINE_CHARS - 1, 4, 6);
            assert!(last_x + layout.scale <= x + bw && last_y + layout.scale <= y + bh);
        }
        assert_eq!(Layout::for_size(1280, 720).scale, 4);
        assert_eq!(Layout::for_size(320, 240).scale, 2);
    }

    #[test]
    fn painted_text_reads_back_exactly() {
        // LBU-15: camera identity, date and time are on every frame and can be read back.
        for (w, h) in [(160, 96), (320, 240), (1280, 720)] {
            let painter = Painter::new(12, "Simulated camera 12", w, h);
            let mut frame = painter.blank();
            let unix_ms = 1_767_225_599_987;
            painter.paint(&mut frame, 123_456, unix_ms);
            let overlay = read_overlay(&display_luma(&frame, w, h), w as u32, h as u32)
                .expect("the overlay should read back");
            assert_eq!(
                overlay,
                Overlay {
                    camera_name: "Simulated camera 12".into(),
                    unix_ms,
                    frame_number: 123_456,
                }
            );
        }
    }

    #[test]
    fn a_picture_without_the_box_reads_as_none() {
        let painter = Painter::new(1, "Simulated camera 1", 320, 240);
        let frame = painter.blank();
        assert_eq!(
            read_overlay(&display_luma(&frame, 320, 240), 320, 240),
            None
        );
        assert_eq!(read_overlay(&[0; 10], 320, 240), None);
    }

    #[test]
    fn only_the_clock_area_changes_between_frames() {
        let painter = Painter::new(1, "Simulated camera 1", 320, 240);
        let mut a = painter.blank();
        let mut b = painter.blank();
        painter.paint(&mut a, 0, 1_700_000_000_000);
        painter.paint(&mut b, 25, 1_700_000_001_000);
        assert_ne!(a.y, b.y, "the running clock must change the picture");
        let (x, y, w, h) = painter.layout.text_box();
        for row in 0..a.height {
            for col in 0..a.width {
                let inside = (x..x + w).contains(&col) && (y..y + h).contains(&row);
                if !inside {
                    let i = row * a.width + col;
                    assert_eq!(a.y[i], b.y[i], "pixel ({col}, {row}) outside the box");
                }
            }
        }
        assert_eq!(a.cb, b.cb);
        assert_eq!(a.cr, b.cr);
    }

    #[test]
    fn samples_stay_in_limited_range() {
        let painter = Painter::new(3, "Simulated camera 3", 200, 104);
        let mut frame = painter.blank();
        painter.paint(&mut frame, 7, 0);
        assert!(frame.y.iter().all(|&v| (16..=235).contains(&v)));
        assert!(
            frame
                .cb
                .iter()
                .chain(&frame.cr)
                .all(|&v| (16..=240).contains(&v))
        );
        assert_eq!((frame.width, frame.height), (208, 112));
    }
}
