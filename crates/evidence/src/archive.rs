//! A small streaming writer for POSIX ustar archives, the container an evidence package
//! leaves the building in: any `tar` (GNU, BSD, 7-Zip, Windows' built-in `tar.exe`) can
//! unpack it without Custos.
//!
//! Invariants:
//! - only regular files (mode 0644) and directories (mode 0755) are written, owned by uid
//!   and gid 0 with no user or group names, so an archive says nothing about the machine
//!   it was made on beyond what the caller puts in it;
//! - every path is relative, '/'-separated, with no empty, "." or ".." component and no
//!   NUL byte, so extracting the archive cannot write outside the target directory;
//! - a path longer than 100 bytes is split at a '/' into the ustar `prefix` (at most 155
//!   bytes) and `name` (at most 100 bytes); a path that cannot be split so is refused, never
//!   truncated;
//! - a file is at most 8 GiB − 1 byte (the 11-digit octal `size` field) and exactly as
//!   long as declared: file data is streamed through a 64 KiB buffer, never held whole;
//! - after any error the archive is incomplete: the writer refuses further entries and the
//!   output must be discarded.

use std::io::{self, Read, Write};

/// The size of a tar block; headers and file data are padded to it.
const BLOCK: usize = 512;

/// File data is copied through a buffer of this size.
const CHUNK: usize = 64 * 1024;

/// The largest value an 11-digit octal field holds: file sizes and modification times.
const MAX_OCTAL_11: u64 = 0o777_7777_7777;

/// The largest file an archive holds (8 GiB − 1 byte).
pub const MAX_FILE_LEN: u64 = MAX_OCTAL_11;

/// Why an archive could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The path is not a relative '/'-separated path the archive may hold.
    #[error(
        "cannot add {path:?} to the archive: {reason}; use a relative path of '/'-separated \
         names without empty, \".\" or \"..\" components"
    )]
    InvalidPath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The path does not fit the ustar name and prefix fields.
    #[error(
        "cannot add {path:?} to the archive: ustar holds a path only if it is at most 100 \
         bytes, or splits at a '/' into at most 155 bytes before and 100 bytes after; \
         shorten the path or its last component"
    )]
    PathTooLong {
        /// The path as given.
        path: String,
    },
    /// The file is larger than the ustar size field holds.
    #[error(
        "cannot add {path:?} to the archive: it is {len} bytes and ustar holds files of at most \
         {MAX_FILE_LEN} bytes (8 GiB − 1); split the file into smaller parts"
    )]
    TooLarge {
        /// The path as given.
        path: String,
        /// The declared length.
        len: u64,
    },
    /// The modification time does not fit the ustar mtime field.
    #[error(
        "cannot add {path:?} to the archive: its modification time {mtime_s} s is past what \
         ustar holds ({MAX_OCTAL_11} s after 1970, in the year 2242); pass the real time"
    )]
    MtimeOutOfRange {
        /// The path as given.
        path: String,
        /// The modification time given, in seconds since the epoch.
        mtime_s: u64,
    },
    /// The data ended before the declared length.
    #[error(
        "cannot add {path:?} to the archive: it was declared as {expected} bytes but its data \
         ended after {got}; the file probably changed while being archived, so build the \
         archive again"
    )]
    ShortData {
        /// The path as given.
        path: String,
        /// The declared length.
        expected: u64,
        /// How many bytes the data held.
        got: u64,
    },
    /// The data went on past the declared length.
    #[error(
        "cannot add {path:?} to the archive: it was declared as {expected} bytes but its data \
         holds more; the file probably grew while being archived, so build the archive again"
    )]
    LongData {
        /// The path as given.
        path: String,
        /// The declared length.
        expected: u64,
    },
    /// An earlier call failed, so the archive is incomplete.
    #[error(
        "the archive is incomplete because an earlier entry failed; discard its output and \
         build the archive again"
    )]
    Poisoned,
    /// Reading file data or writing the archive failed.
    #[error("reading file data or writing the archive failed: {0}; check the disk and try again")]
    Io(#[from] io::Error),
}

/// Writes a ustar archive to `W` one entry at a time (see the module documentation).
pub struct TarWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    poisoned: bool,
}

impl<W: Write> TarWriter<W> {
    /// Starts an empty archive written to `out`.
    pub fn new(out: W) -> Self {
        TarWriter {
            out,
            buf: vec![0; CHUNK],
            poisoned: false,
        }
    }

    /// Adds a regular file at `path` (relative, '/'-separated, no "..", no leading '/')
    /// with `len` bytes read from `data`; mode 0644, modification time `mtime_s` (seconds
    /// since the epoch). Errors if `data` yields fewer or more than `len` bytes.
    pub fn append_file(
        &mut self,
        path: &str,
        len: u64,
        mtime_s: u64,
        data: &mut impl Read,
    ) -> Result<(), ArchiveError> {
        self.guard(|this| this.write_file(path, len, mtime_s, data))
    }

    /// Adds a directory entry at `path` (mode 0755). A trailing '/' is optional.
    pub fn append_dir(&mut self, path: &str, mtime_s: u64) -> Result<(), ArchiveError> {
        self.guard(|this| {
            let trimmed = path.strip_suffix('/').unwrap_or(path);
            check_path(path, trimmed)?;
            let with_slash = format!("{trimmed}/");
            let header = header(path, &with_slash, 0o755, 0, mtime_s, b'5')?;
            this.out.write_all(&header)?;
            Ok(())
        })
    }

    /// Writes the two zero blocks that end the archive and returns the writer.
    pub fn finish(mut self) -> Result<W, ArchiveError> {
        if self.poisoned {
            return Err(ArchiveError::Poisoned);
        }
        self.out.write_all(&[0; 2 * BLOCK])?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// Runs one entry's work, marking the writer unusable if it fails.
    fn guard(
        &mut self,
        work: impl FnOnce(&mut Self) -> Result<(), ArchiveError>,
    ) -> Result<(), ArchiveError> {
        if self.poisoned {
            return Err(ArchiveError::Poisoned);
        }
        let result = work(self);
        if result.is_err() {
            self.poisoned = true;
        }
        result
    }

    fn write_file(
        &mut self,
        path: &str,
        len: u64,
        mtime_s: u64,
        data: &mut impl Read,
    ) -> Result<(), ArchiveError> {
        check_path(path, path)?;
        if len > MAX_FILE_LEN {
            return Err(ArchiveError::TooLarge {
                path: path.to_owned(),
                len,
            });
        }
        let header = header(path, path, 0o644, len, mtime_s, b'0')?;
        self.out.write_all(&header)?;

        let mut remaining = len;
        while remaining > 0 {
            let want = usize::try_from(remaining.min(CHUNK as u64)).unwrap_or(CHUNK);
            let n = read_retrying(data, &mut self.buf[..want])?;
            if n == 0 {
                return Err(ArchiveError::ShortData {
                    path: path.to_owned(),
                    expected: len,
                    got: len - remaining,
                });
            }
            self.out.write_all(&self.buf[..n])?;
            remaining -= n as u64;
        }
        if read_retrying(data, &mut self.buf[..1])? != 0 {
            return Err(ArchiveError::LongData {
                path: path.to_owned(),
                expected: len,
            });
        }
        let padding = (BLOCK - (len % BLOCK as u64) as usize) % BLOCK;
        self.out.write_all(&[0; BLOCK][..padding])?;
        Ok(())
    }
}

/// Reads once into `buf`, retrying reads that were interrupted.
fn read_retrying(data: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match data.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Checks that `path` (reported as `shown`) is a safe relative path.
fn check_path(shown: &str, path: &str) -> Result<(), ArchiveError> {
    let invalid = |reason| {
        Err(ArchiveError::InvalidPath {
            path: shown.to_owned(),
            reason,
        })
    };
    if path.is_empty() {
        return invalid("the path is empty");
    }
    if path.starts_with('/') {
        return invalid("the path is absolute");
    }
    if path.contains('\0') {
        return invalid("the path contains a NUL byte");
    }
    for component in path.split('/') {
        match component {
            "" => return invalid("the path has an empty component"),
            "." | ".." => return invalid("the path has a \".\" or \"..\" component"),
            _ => {}
        }
    }
    Ok(())
}

/// Splits `path` into the ustar `(prefix, name)` fields, or `None` if it cannot fit.
fn split_path(path: &str) -> Option<(&str, &str)> {
    if path.len() <= 100 {
        return Some(("", path));
    }
    // The shortest prefix leaves the longest name; if even the first '/' whose name part
    // fits gives too long a prefix, every later one does too.
    let (i, _) = path
        .char_indices()
        .filter(|&(_, c)| c == '/')
        .find(|&(i, _)| path.len() - i - 1 <= 100)?;
    let (prefix, name) = (&path[..i], &path[i + 1..]);
    (prefix.len() <= 155 && !prefix.is_empty() && !name.is_empty()).then_some((prefix, name))
}

/// Writes `value` as zero-padded octal filling all but the last byte of `field`, which
/// stays NUL.
fn put_octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(text.as_bytes());
    field[digits] = 0;
}

/// Builds the header block of an entry stored under `stored` (reported as `shown`).
fn header(
    shown: &str,
    stored: &str,
    mode: u32,
    len: u64,
    mtime_s: u64,
    typeflag: u8,
) -> Result<[u8; BLOCK], ArchiveError> {
    let Some((prefix, name)) = split_path(stored) else {
        return Err(ArchiveError::PathTooLong {
            path: shown.to_owned(),
        });
    };
    if mtime_s > MAX_OCTAL_11 {
        return Err(ArchiveError::MtimeOutOfRange {
            path: shown.to_owned(),
            mtime_s,
        });
    }
    let mut h = [0u8; BLOCK];
    h[..name.len()].copy_from_slice(name.as_bytes());
    put_octal(&mut h[100..108], u64::from(mode));
    put_octal(&mut h[108..116], 0); // uid
    put_octal(&mut h[116..124], 0); // gid
    put_octal(&mut h[124..136], len);
    put_octal(&mut h[136..148], mtime_s);
    h[156] = typeflag;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    put_octal(&mut h[329..337], 0); // devmajor
    put_octal(&mut h[337..345], 0); // devminor
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    set_checksum(&mut h);
    Ok(h)
}

/// Fills the checksum field: the sum of the header's bytes with the field itself counted
/// as spaces, as six octal digits, a NUL and a space.
fn set_checksum(h: &mut [u8; BLOCK]) {
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    put_octal(&mut h[148..155], u64::from(sum));
    h[155] = b' ';
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn octal_field(field: &[u8]) -> u64 {
        let text = std::str::from_utf8(field).unwrap();
        u64::from_str_radix(text.trim_matches(|c| c == '\0' || c == ' '), 8).unwrap()
    }

    #[test]
    fn checksum_is_the_byte_sum_with_the_field_as_spaces() {
        let h = header("a.txt", "a.txt", 0o644, 5, 1_700_000_000, b'0').unwrap();
        assert_eq!(h[154], 0);
        assert_eq!(h[155], b' ');
        let stored = octal_field(&h[148..156]);
        let mut blanked = h;
        blanked[148..156].fill(b' ');
        let sum: u64 = blanked.iter().map(|&b| u64::from(b)).sum();
        assert_eq!(stored, sum);
        assert_eq!(octal_field(&h[124..136]), 5);
        assert_eq!(octal_field(&h[136..148]), 1_700_000_000);
        assert_eq!(octal_field(&h[100..108]), 0o644);
        assert_eq!(&h[257..265], b"ustar\x0000");
    }

    #[test]
    fn checksum_matches_a_known_header() {
        // An empty file "x" with every numeric field zero: 'x' + the octal zeros of mode,
        // uid, gid, size, mtime, devmajor, devminor + eight spaces + '0' + "ustar\0" + "00".
        let h = header("x", "x", 0, 0, 0, b'0').unwrap();
        let zeros = u64::from(b'0') * (7 * 3 + 11 * 2 + 7 * 2);
        let expected = u64::from(b'x')
            + zeros
            + 8 * u64::from(b' ')
            + u64::from(b'0')
            + b"ustar00".iter().map(|&b| u64::from(b)).sum::<u64>();
        assert_eq!(octal_field(&h[148..156]), expected);
    }

    #[test]
    fn short_paths_stay_in_the_name_field() {
        assert_eq!(split_path("a/b.txt"), Some(("", "a/b.txt")));
        let hundred = "x".repeat(100);
        assert_eq!(split_path(&hundred), Some(("", hundred.as_str())));
    }

    #[test]
    fn long_paths_split_at_the_first_slash_that_fits() {
        // 30 + 1 + 30 + 1 + 60 bytes: after the first '/', 91 bytes are left for the name.
        let dir = "d".repeat(30);
        let file = "f".repeat(60);
        let path = format!("{dir}/{dir}/{file}");
        assert_eq!(split_path(&path), Some((dir.as_str(), &path[31..])));
        // 40 + 1 + 40 + 1 + 60 bytes: after the first '/', 101 bytes are too many for the
        // name, so the split is at the second.
        let dir = "d".repeat(40);
        let path = format!("{dir}/{dir}/{file}");
        assert_eq!(split_path(&path), Some((&path[..81], file.as_str())));
    }

    #[test]
    fn paths_that_cannot_split_are_refused() {
        // No slash at all.
        assert_eq!(split_path(&"x".repeat(101)), None);
        // The last component alone is over 100 bytes.
        assert_eq!(split_path(&format!("a/{}", "x".repeat(101))), None);
        // The prefix would be over 155 bytes.
        assert_eq!(
            split_path(&format!("{}/{}", "p".repeat(156), "n".repeat(10))),
            None
        );
        assert!(split_path(&format!("{}/{}", "p".repeat(155), "n".repeat(100))).is_some());

        let mut tar = TarWriter::new(Vec::new());
        let long = format!("a/{}", "x".repeat(101));
        let err = tar.append_file(&long, 0, 0, &mut io::empty()).unwrap_err();
        assert!(matches!(err, ArchiveError::PathTooLong { ref path } if *path == long));
        assert!(err.to_string().contains(&long));
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for path in [
            "",
            "/etc/passwd",
            "a/../b",
            "..",
            "./a",
            "a//b",
            "a/",
            "a\0b",
        ] {
            let mut tar = TarWriter::new(Vec::new());
            let err = tar.append_file(path, 0, 0, &mut io::empty()).unwrap_err();
            assert!(
                matches!(err, ArchiveError::InvalidPath { .. }),
                "{path:?}: {err}"
            );
        }
    }

    #[test]
    fn data_must_match_the_declared_length() {
        let mut tar = TarWriter::new(Vec::new());
        let err = tar.append_file("a", 5, 0, &mut &b"abc"[..]).unwrap_err();
        assert!(matches!(
            err,
            ArchiveError::ShortData {
                expected: 5,
                got: 3,
                ..
            }
        ));
        // The archive is incomplete from then on.
        assert!(matches!(
            tar.append_dir("d", 0).unwrap_err(),
            ArchiveError::Poisoned
        ));
        assert!(matches!(tar.finish().unwrap_err(), ArchiveError::Poisoned));

        let mut tar = TarWriter::new(Vec::new());
        let err = tar.append_file("a", 2, 0, &mut &b"abc"[..]).unwrap_err();
        assert!(matches!(err, ArchiveError::LongData { expected: 2, .. }));
    }

    #[test]
    fn sizes_and_times_beyond_the_octal_fields_are_refused() {
        let mut tar = TarWriter::new(Vec::new());
        let err = tar
            .append_file("big", MAX_FILE_LEN + 1, 0, &mut io::empty())
            .unwrap_err();
        assert!(matches!(err, ArchiveError::TooLarge { .. }));
        let h = header("big", "big", 0o644, MAX_FILE_LEN, 0, b'0').unwrap();
        assert_eq!(&h[124..136], b"77777777777\0");

        let mut tar = TarWriter::new(Vec::new());
        let err = tar.append_dir("d", MAX_OCTAL_11 + 1).unwrap_err();
        assert!(matches!(err, ArchiveError::MtimeOutOfRange { .. }));
    }

    #[test]
    fn layout_is_headers_padded_data_and_two_zero_blocks() {
        let mut tar = TarWriter::new(Vec::new());
        tar.append_dir("d/", 0).unwrap();
        tar.append_file("d/a", 3, 0, &mut &b"abc"[..]).unwrap();
        let bytes = tar.finish().unwrap();
        assert_eq!(bytes.len(), 512 * 5);
        assert_eq!(&bytes[..2], b"d/");
        assert_eq!(bytes[156], b'5');
        assert_eq!(&bytes[512..515], b"d/a");
        assert_eq!(&bytes[1024..1027], b"abc");
        assert!(bytes[1027..].iter().all(|&b| b == 0));
    }
}
