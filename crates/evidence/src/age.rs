//! Passphrase encryption in the age v1 file format (<https://age-encryption.org/v1>), so an
//! evidence package handed to a requester, a solicitor or the police can be opened with the
//! standard `age` tool (or any other age implementation) and a passphrase given to them
//! separately, without Custos.
//!
//! The `age` crate (the reference Rust implementation, built without default features)
//! does the format: the header with its one `scrypt` stanza and MAC, the payload key, and
//! the STREAM construction of 64 KiB ChaCha20-Poly1305 chunks with a last-chunk flag. This
//! module fixes the work factors, bounds what a hostile file can cost, turns the crate's
//! errors into [`AgeError`]s that say what to do, and makes the passphrases it hands out
//! (the crate has no generator of this shape).
//!
//! Costs: scrypt at [`DEFAULT_LOG_N`] takes about a second and 256 MiB per file, to encrypt
//! and to decrypt; besides, the crate times one scrypt at 2^10 (about a millisecond) each
//! time an [`Encryptor`] is made or [`decrypt`] is called.
//!
//! Invariants:
//! - encryption and decryption stream: the plaintext passes through in 64 KiB chunks, and
//!   only a few chunk-sized buffers are held, whatever the file's size;
//! - a file key, salt and payload nonce are drawn fresh from the operating system (by the
//!   `age` crate) for every file; a file key is never reused;
//! - only files encrypted to a passphrase alone are decrypted, and only at work factors up
//!   to 2^[`MAX_LOG_N`] (the scrypt identity's maximum work factor), so a crafted file
//!   cannot make the reader spend gigabytes of memory or hours of work; nor can it make the
//!   header reader buffer more than 4 KiB (far more than a passphrase file's header needs);
//! - decryption verifies the header MAC before writing anything and authenticates every
//!   chunk before writing it; the last-chunk flag means a file cut short at a chunk boundary
//!   is detected. Output written before an error (earlier, authentic chunks) must still be
//!   discarded, because the file as a whole did not verify;
//! - an [`Encryptor`] dropped without [`Encryptor::finish`] leaves a file that does not
//!   decrypt (its last chunk is missing), never one that silently decrypts short; after a
//!   failed write it refuses to finish.

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::iter;

use age::DecryptError;
use age::secrecy::SecretString;

/// The work factor (log2 of scrypt's N) for files made in production; `age` uses the same.
pub const DEFAULT_LOG_N: u8 = 18;

/// The highest work factor accepted when encrypting or decrypting; `age` itself decrypts
/// up to the same (2^22 needs 4 GiB of memory).
pub const MAX_LOG_N: u8 = 22;

/// How every age file starts, whatever its version.
const FORMAT_PREFIX: &[u8] = b"age-encryption.org/";

/// How an ASCII-armored age file starts.
const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Plaintext bytes per payload chunk, as the format fixes them.
const CHUNK: usize = 64 * 1024;

/// Bytes a Poly1305 tag adds to each sealed chunk.
const TAG: usize = 16;

/// The most header bytes read before giving up. A passphrase file's header (its scrypt
/// stanza must be the only one) is under 200 bytes. The `age` crate buffers the header and
/// parses it again after each line it reads, so its cost grows with the square of the
/// header's length (64 KiB of stanza lines take seconds): the limit keeps a damaged or
/// hostile file from making the reader buffer or work without end.
const MAX_HEADER_BYTES: u64 = 4 * 1024;

/// The passphrase alphabet: lowercase letters and digits without look-alikes (0/o, 1/l/i).
const PASSPHRASE_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// Groups of characters in a generated passphrase.
const PASSPHRASE_GROUPS: usize = 7;

/// Characters per group of a generated passphrase.
const PASSPHRASE_GROUP_LEN: usize = 4;

/// Why a file could not be encrypted or decrypted.
#[derive(Debug, thiserror::Error)]
pub enum AgeError {
    /// Reading the input or writing the output failed.
    #[error("reading or writing the encrypted stream failed: {0}; check the disk and try again")]
    Io(#[from] io::Error),
    /// The operating system's random number generator failed.
    #[error(
        "the operating system's random number generator failed ({0}); nothing was encrypted, \
         check the system's entropy source (getrandom) and try again"
    )]
    Random(String),
    /// The passphrase given for encryption is empty.
    #[error("the passphrase is empty; use `generate_passphrase` or give a non-empty one")]
    EmptyPassphrase,
    /// The work factor asked for encryption is out of range.
    #[error(
        "work factor 2^{log_n} is out of range; choose log2 N between 1 and {MAX_LOG_N} \
         ({DEFAULT_LOG_N} for real files)"
    )]
    InvalidWorkFactor {
        /// The log2 of scrypt's N asked for.
        log_n: u8,
    },
    /// The file asks for more scrypt work than is accepted.
    #[error(
        "the file asks for scrypt work factor 2^{log_n}, above the accepted 2^{MAX_LOG_N}; it \
         was not made by a standard age tool, or was crafted to exhaust memory, so it is not \
         decrypted"
    )]
    WorkFactorTooHigh {
        /// The log2 of scrypt's N in the file.
        log_n: u64,
    },
    /// The input is not an age file.
    #[error(
        "the input is not an age-encrypted file (it does not start with \
         \"age-encryption.org/v1\"); check that the right file was given"
    )]
    NotAgeFile,
    /// The input is an ASCII-armored age file.
    #[error(
        "the file is ASCII-armored (\"-----BEGIN AGE ENCRYPTED FILE-----\"), which is not \
         supported here; decrypt it with `age -d`, or ask for the binary file"
    )]
    Armored,
    /// The header does not follow the format.
    #[error(
        "the age header is malformed: {0}; the file is damaged or was not made by an age tool, \
         so obtain a fresh copy"
    )]
    MalformedHeader(&'static str),
    /// The file is encrypted to recipient keys rather than a passphrase.
    #[error(
        "the file is encrypted to age recipient keys, not to a passphrase; decrypt it with \
         `age -d -i IDENTITY_FILE` and the matching identity"
    )]
    NotPassphraseEncrypted,
    /// The passphrase does not unlock the file key.
    #[error(
        "the passphrase is wrong: it does not unlock this file; check it for typos (it is \
         case-sensitive) and that it belongs to this file"
    )]
    WrongPassphrase,
    /// The header MAC does not verify.
    #[error(
        "the age header fails its authentication check: the header was altered after \
         encryption; obtain a fresh copy of the file"
    )]
    HeaderMac,
    /// The file ends early.
    #[error(
        "the encrypted file ends early: it is an incomplete copy (or was never finished); \
         copy it again from the original, and discard anything decrypted from it"
    )]
    Truncated,
    /// A payload chunk fails authentication.
    #[error(
        "chunk {chunk} of the encrypted payload fails authentication: the file was altered, \
         damaged or cut short; obtain a fresh copy and discard anything decrypted from it"
    )]
    PayloadCorrupt {
        /// The index of the chunk that failed, from 0.
        chunk: u64,
    },
    /// An earlier write to an [`Encryptor`] failed.
    #[error(
        "the encrypted stream is incomplete because an earlier write failed; discard its \
         output and encrypt again"
    )]
    Poisoned,
}

/// Fills `buf` from the operating system's random number generator.
fn random(buf: &mut [u8]) -> Result<(), AgeError> {
    getrandom::fill(buf).map_err(|e| AgeError::Random(e.to_string()))
}

/// Encrypts a stream to a passphrase in the age format; write the plaintext to it, then
/// call [`Encryptor::finish`]. It buffers one 64 KiB chunk.
pub struct Encryptor<W: Write> {
    stream: age::stream::StreamWriter<W>,
    poisoned: bool,
}

impl<W: Write> Encryptor<W> {
    /// Starts an encrypted stream to `out`, sealed with `passphrase` at work factor
    /// 2^`log_n` ([`DEFAULT_LOG_N`] in production; tests may use lower). Writes the header
    /// and payload nonce at once.
    pub fn with_passphrase(out: W, passphrase: &str, log_n: u8) -> Result<Self, AgeError> {
        if passphrase.is_empty() {
            return Err(AgeError::EmptyPassphrase);
        }
        if log_n == 0 || log_n > MAX_LOG_N {
            return Err(AgeError::InvalidWorkFactor { log_n });
        }
        let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase));
        // In range: checked above (the crate panics outside 1..64).
        recipient.set_work_factor(log_n);
        let encryptor =
            age::Encryptor::with_recipients(iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| match e {
                    age::EncryptError::Io(e) => AgeError::Io(e),
                    // A lone scrypt recipient cannot conflict with anything.
                    other => AgeError::Io(io::Error::other(other.to_string())),
                })?;
        Ok(Encryptor {
            stream: encryptor.wrap_output(out)?,
            poisoned: false,
        })
    }

    /// Seals the buffered plaintext as the last chunk, writes it and returns the writer.
    pub fn finish(self) -> Result<W, AgeError> {
        if self.poisoned {
            return Err(AgeError::Poisoned);
        }
        let mut out = self.stream.finish()?;
        out.flush()?;
        Ok(out)
    }
}

impl<W: Write> Write for Encryptor<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.poisoned {
            return Err(io::Error::other(AgeError::Poisoned));
        }
        // A failed write may leave a chunk half written and the chunk counter moved on:
        // nothing after it could decrypt.
        self.stream
            .write(data)
            .inspect_err(|_| self.poisoned = true)
    }

    /// Flushes the underlying writer; the buffered chunk is written only when it is full and
    /// more data follows, or by [`Encryptor::finish`].
    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// Decrypts an age file encrypted to `passphrase` from `input`, streaming the plaintext to
/// `out`. Verifies the header MAC and every chunk; on any error, discard what was written.
pub fn decrypt(
    mut input: impl Read,
    passphrase: &str,
    mut out: impl Write,
) -> Result<(), AgeError> {
    // Look at the first bytes, so that a file that is not age at all, or is armored, gets
    // its own answer; then hand them back in front of the rest.
    let mut start_buf = [0u8; ARMOR_BEGIN.len()];
    let start_len = read_full(&mut input, &mut start_buf)?;
    let start = &start_buf[..start_len];
    if !start.starts_with(FORMAT_PREFIX) {
        return Err(if start == ARMOR_BEGIN {
            AgeError::Armored
        } else {
            AgeError::NotAgeFile
        });
    }
    let state = InputState::default();
    let input = Bounded {
        inner: BufReader::with_capacity(CHUNK + TAG, start.chain(input)),
        consumed_bytes: 0,
        state: &state,
    };

    let decryptor = age::Decryptor::new_buffered(input).map_err(|e| from_age(e, &state))?;
    state.header_read.set(true);
    if !decryptor.is_scrypt() {
        return Err(AgeError::NotPassphraseEncrypted);
    }
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase));
    identity.set_max_work_factor(MAX_LOG_N);
    let mut plaintext = decryptor
        .decrypt(iter::once(&identity as &dyn age::Identity))
        .map_err(|e| from_age(e, &state))?;

    let mut buf = vec![0u8; CHUNK];
    let mut written_bytes: u64 = 0;
    loop {
        let n = match plaintext.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(payload_error(e, written_bytes, &state)),
        };
        out.write_all(&buf[..n])?;
        written_bytes += n as u64;
    }
    out.flush()?;
    Ok(())
}

/// What [`Bounded`] has seen, read back by [`decrypt`] to explain errors.
#[derive(Default)]
struct InputState {
    /// The header and nonce have been read: the header limit no longer applies.
    header_read: Cell<bool>,
    /// The header went past [`MAX_HEADER_BYTES`].
    header_too_long: Cell<bool>,
    /// The underlying reader failed (as opposed to the data failing to verify).
    input_failed: Cell<bool>,
}

/// The input as the `age` crate reads it: gives at most one byte past
/// [`MAX_HEADER_BYTES`] before the header is read (then fails), and notes failures of the
/// underlying reader.
struct Bounded<'a, R> {
    inner: R,
    consumed_bytes: u64,
    state: &'a InputState,
}

impl<R> Bounded<'_, R> {
    /// How many more bytes may be given out: unlimited once the header is read; before
    /// that, up to one past the header limit, and an error once past it.
    fn room(&self) -> io::Result<usize> {
        if self.state.header_read.get() {
            return Ok(usize::MAX);
        }
        if self.consumed_bytes > MAX_HEADER_BYTES {
            self.state.header_too_long.set(true);
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the age header is too long",
            ));
        }
        Ok(usize::try_from(MAX_HEADER_BYTES + 1 - self.consumed_bytes).unwrap_or(usize::MAX))
    }
}

/// Notes in `state` a failure of the underlying reader.
fn noting<T>(state: &InputState, result: io::Result<T>) -> io::Result<T> {
    if let Err(e) = &result
        && e.kind() != io::ErrorKind::Interrupted
    {
        state.input_failed.set(true);
    }
    result
}

impl<R: BufRead> Read for Bounded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = self.room()?;
        let want = buf.len().min(room);
        let n = noting(self.state, self.inner.read(&mut buf[..want]))?;
        self.consumed_bytes += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Bounded<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let room = self.room()?;
        let buf = noting(self.state, self.inner.fill_buf())?;
        Ok(&buf[..buf.len().min(room)])
    }

    fn consume(&mut self, amount: usize) {
        self.consumed_bytes += amount as u64;
        self.inner.consume(amount);
    }
}

/// Explains an error of the `age` crate from reading the header or unwrapping the file key.
fn from_age(e: DecryptError, state: &InputState) -> AgeError {
    match e {
        DecryptError::Io(_) if state.header_too_long.get() => {
            AgeError::MalformedHeader("the header is longer than any passphrase file's")
        }
        DecryptError::Io(e) if state.input_failed.get() => AgeError::Io(e),
        DecryptError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => AgeError::Truncated,
        DecryptError::Io(e) => AgeError::Io(e),
        DecryptError::InvalidHeader => AgeError::MalformedHeader(
            "it does not follow the age v1 header format (stanzas, base64 bodies, the MAC line), \
             or a scrypt stanza is not alone in it",
        ),
        DecryptError::UnknownFormat => {
            AgeError::MalformedHeader("the file is in an age version other than v1")
        }
        DecryptError::ExcessiveWork { required, .. } => AgeError::WorkFactorTooHigh {
            log_n: u64::from(required),
        },
        DecryptError::DecryptionFailed | DecryptError::KeyDecryptionFailed => {
            AgeError::WrongPassphrase
        }
        DecryptError::InvalidMac => AgeError::HeaderMac,
        DecryptError::NoMatchingKeys => AgeError::NotPassphraseEncrypted,
        // Plugin errors (the feature is off) and any kinds added later.
        other => AgeError::Io(io::Error::other(other.to_string())),
    }
}

/// Explains an error reading the payload, after `written_bytes` of plaintext were given
/// out. The crate gives out a chunk only once it is authenticated, so every chunk before
/// the failing one was whole (64 KiB).
fn payload_error(e: io::Error, written_bytes: u64, state: &InputState) -> AgeError {
    if state.input_failed.get() {
        return AgeError::Io(e);
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => AgeError::Truncated,
        io::ErrorKind::InvalidData => AgeError::PayloadCorrupt {
            chunk: written_bytes / CHUNK as u64,
        },
        _ => AgeError::Io(e),
    }
}

/// Reads until `buf` is full or the input ends; returns how many bytes were read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A passphrase to show the issuer once: 28 characters from a 31-character alphabet of
/// lowercase letters and digits without look-alikes, in groups of four (`k7m2-x9qa-…`),
/// about 138 bits of entropy; easy to read aloud and type.
pub fn generate_passphrase() -> Result<String, AgeError> {
    let alphabet_len = PASSPHRASE_ALPHABET.len();
    // Bytes at or above the largest multiple of the alphabet's size are rejected, so every
    // character is equally likely.
    let limit = 256 - 256 % alphabet_len;
    let wanted = PASSPHRASE_GROUPS * PASSPHRASE_GROUP_LEN;
    let mut chars = Vec::with_capacity(wanted);
    let mut bytes = [0u8; 64];
    while chars.len() < wanted {
        random(&mut bytes)?;
        chars.extend(
            bytes
                .iter()
                .map(|&b| usize::from(b))
                .filter(|&b| b < limit)
                .map(|b| PASSPHRASE_ALPHABET[b % alphabet_len])
                .take(wanted - chars.len()),
        );
    }
    let groups: Vec<String> = chars
        .chunks(PASSPHRASE_GROUP_LEN)
        .map(|g| String::from_utf8_lossy(g).into_owned())
        .collect();
    Ok(groups.join("-"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const PASS: &str = "correct horse battery staple";

    fn encrypt(plain: &[u8], passphrase: &str) -> Vec<u8> {
        let mut enc = Encryptor::with_passphrase(Vec::new(), passphrase, 10).unwrap();
        // Odd-sized writes cross chunk boundaries.
        for piece in plain.chunks(10_000) {
            enc.write_all(piece).unwrap();
        }
        enc.finish().unwrap()
    }

    fn pseudo_random(len: usize) -> Vec<u8> {
        let mut x: u32 = 0x1234_5678;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    /// Where the payload (after the nonce) starts.
    fn payload_start(file: &[u8]) -> usize {
        let mac = file.windows(4).position(|w| w == b"\n---").unwrap() + 1;
        mac + file[mac..].iter().position(|&b| b == b'\n').unwrap() + 1 + 16
    }

    #[test]
    fn round_trips_every_boundary_length() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 200 * 1024] {
            let plain = pseudo_random(len);
            let file = encrypt(&plain, PASS);
            let chunks = len.div_ceil(CHUNK).max(1);
            assert_eq!(
                file.len() - payload_start(&file),
                len + chunks * TAG,
                "{len}"
            );
            let mut back = Vec::new();
            decrypt(&file[..], PASS, &mut back).unwrap();
            assert_eq!(back, plain, "{len}");
        }
    }

    #[test]
    fn header_has_the_specified_shape() {
        let file = encrypt(b"hello", PASS);
        let text = String::from_utf8_lossy(&file[..payload_start(&file) - 16]).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(lines[0], "age-encryption.org/v1");
        let args: Vec<&str> = lines[1].split(' ').collect();
        assert_eq!(args[..2], ["->", "scrypt"]);
        assert_eq!(args[2].len(), 22); // 16 bytes, unpadded
        assert_eq!(args[3], "10");
        assert_eq!(lines[2].len(), 43); // 32 bytes, unpadded
        assert!(lines[3].starts_with("--- ") && lines[3].len() == 4 + 43);
    }

    #[test]
    fn wrong_passphrase_is_refused() {
        let file = encrypt(b"secret footage", PASS);
        let mut back = Vec::new();
        let err = decrypt(&file[..], "correct horse battery stapler", &mut back).unwrap_err();
        assert!(matches!(err, AgeError::WrongPassphrase), "{err}");
        assert!(back.is_empty());
    }

    #[test]
    fn a_flipped_payload_byte_is_refused() {
        let plain = pseudo_random(CHUNK + 100);
        let file = encrypt(&plain, PASS);
        let start = payload_start(&file);
        for (at, chunk) in [(start + 5, 0), (file.len() - 1, 1)] {
            let mut bad = file.clone();
            bad[at] ^= 0x01;
            let err = decrypt(&bad[..], PASS, io::sink()).unwrap_err();
            assert!(
                matches!(err, AgeError::PayloadCorrupt { chunk: c } if c == chunk),
                "{err}"
            );
        }
        // The payload nonce is bound too.
        let mut bad = file.clone();
        bad[start - 1] ^= 0x80;
        assert!(matches!(
            decrypt(&bad[..], PASS, io::sink()).unwrap_err(),
            AgeError::PayloadCorrupt { chunk: 0 }
        ));
    }

    #[test]
    fn an_altered_header_is_refused() {
        let file = encrypt(b"x", PASS);
        let mac_at = file.windows(4).position(|w| w == b"\n---").unwrap() + 5;
        let mut bad = file.clone();
        bad[mac_at] = if bad[mac_at] == b'A' { b'B' } else { b'A' };
        let err = decrypt(&bad[..], PASS, io::sink()).unwrap_err();
        assert!(matches!(err, AgeError::HeaderMac), "{err}");
    }

    #[test]
    fn truncation_is_refused() {
        let plain = pseudo_random(3 * CHUNK);
        let file = encrypt(&plain, PASS);
        let start = payload_start(&file);
        // Cut exactly after the second full chunk: each remaining chunk authenticates on
        // its own, but the second was not sealed as the last, so the stream ends early.
        let cut = start + 2 * (CHUNK + TAG);
        let mut back = Vec::new();
        let err = decrypt(&file[..cut], PASS, &mut back).unwrap_err();
        assert!(matches!(err, AgeError::Truncated), "{err}");
        // Cut inside a chunk, inside the nonce, inside the header.
        for cut in [file.len() - 1, start + 10, start - 3, 30] {
            assert!(decrypt(&file[..cut], PASS, io::sink()).is_err(), "{cut}");
        }
        // An empty payload after the nonce.
        assert!(matches!(
            decrypt(&file[..start], PASS, io::sink()).unwrap_err(),
            AgeError::Truncated
        ));
    }

    #[test]
    fn an_unfinished_encryptor_leaves_a_file_that_does_not_decrypt() {
        let mut out = Vec::new();
        {
            let mut enc = Encryptor::with_passphrase(&mut out, PASS, 10).unwrap();
            enc.write_all(&pseudo_random(CHUNK + 1)).unwrap();
        }
        assert!(decrypt(&out[..], PASS, io::sink()).is_err());
    }

    #[test]
    fn high_work_factors_and_other_files_are_refused() {
        let file = encrypt(b"x", PASS);
        let text = String::from_utf8_lossy(&file).into_owned();
        let high = text.replacen(" 10\n", " 23\n", 1);
        assert!(matches!(
            decrypt(high.as_bytes(), PASS, io::sink()).unwrap_err(),
            AgeError::WorkFactorTooHigh { log_n: 23 }
        ));
        let zero_led = text.replacen(" 10\n", " 010\n", 1);
        assert!(matches!(
            decrypt(zero_led.as_bytes(), PASS, io::sink()).unwrap_err(),
            AgeError::MalformedHeader(_)
        ));
        assert!(matches!(
            decrypt(&b"PK\x03\x04 not age"[..], PASS, io::sink()).unwrap_err(),
            AgeError::NotAgeFile
        ));
        assert!(matches!(
            decrypt(&b""[..], PASS, io::sink()).unwrap_err(),
            AgeError::NotAgeFile
        ));
        let armored = b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n";
        assert!(matches!(
            decrypt(&armored[..], PASS, io::sink()).unwrap_err(),
            AgeError::Armored
        ));
        // A header for a recipient key, then a nonce and a chunk's worth of bytes.
        let mut x25519 = format!(
            "age-encryption.org/v1\n-> X25519 abc\nAAAA\n--- {}\n",
            "A".repeat(43)
        )
        .into_bytes();
        x25519.extend_from_slice(&[7; 16 + TAG + 5]);
        assert!(matches!(
            decrypt(&x25519[..], PASS, io::sink()).unwrap_err(),
            AgeError::NotPassphraseEncrypted
        ));
        // A scrypt stanza beside another is not a passphrase file either: malformed.
        let scrypt_line = text.lines().nth(1).unwrap();
        let body_line = text.lines().nth(2).unwrap();
        let mixed = format!(
            "age-encryption.org/v1\n{scrypt_line}\n{body_line}\n-> X25519 abc\nAAAA\n--- {}\n",
            "A".repeat(43)
        );
        let mut mixed = mixed.into_bytes();
        mixed.extend_from_slice(&[7; 16 + TAG + 5]);
        assert!(matches!(
            decrypt(&mixed[..], PASS, io::sink()).unwrap_err(),
            AgeError::MalformedHeader(_)
        ));
        let v2 = "age-encryption.org/v2\n-> scrypt AAAA 10\n";
        assert!(matches!(
            decrypt(v2.as_bytes(), PASS, io::sink()).unwrap_err(),
            AgeError::MalformedHeader(_) | AgeError::Truncated
        ));
        assert!(matches!(
            Encryptor::with_passphrase(Vec::new(), PASS, 23).err(),
            Some(AgeError::InvalidWorkFactor { log_n: 23 })
        ));
        assert!(matches!(
            Encryptor::with_passphrase(Vec::new(), "", 10).err(),
            Some(AgeError::EmptyPassphrase)
        ));
    }

    #[test]
    fn a_stanza_body_of_exactly_64_columns_needs_an_empty_final_line() {
        // A header whose scrypt stanza body is one 64-column line and then the MAC, without
        // the empty line, followed by a nonce and a chunk: malformed (a scrypt body is 32
        // bytes, 43 columns), never decrypted.
        let mut file = format!(
            "age-encryption.org/v1\n-> scrypt {} 10\n{}\n--- {}\n",
            "A".repeat(22),
            "A".repeat(64),
            "A".repeat(43)
        )
        .into_bytes();
        file.extend_from_slice(&[7; 16 + TAG + 5]);
        let err = decrypt(&file[..], PASS, io::sink()).unwrap_err();
        assert!(matches!(err, AgeError::MalformedHeader(_)), "{err:?}");
    }

    #[test]
    fn an_endless_header_is_refused_without_reading_it_all() {
        // One stanza line that never ends, and a header of many short stanza lines.
        let endless = io::repeat(b'a');
        let start = &b"age-encryption.org/v1\n-> scrypt "[..];
        let err = decrypt(start.chain(endless), PASS, io::sink()).unwrap_err();
        assert!(matches!(err, AgeError::MalformedHeader(_)), "{err}");
        let mut many = b"age-encryption.org/v1\n".to_vec();
        while many.len() <= 2 * MAX_HEADER_BYTES as usize {
            many.extend_from_slice(b"-> X25519 abc\nAAAA\n");
        }
        let err = decrypt(&many[..], PASS, io::sink()).unwrap_err();
        assert!(matches!(err, AgeError::MalformedHeader(_)), "{err}");
    }

    #[test]
    fn trailing_bytes_after_the_last_chunk_are_refused() {
        let mut file = encrypt(b"footage", PASS);
        file.push(0);
        assert!(matches!(
            decrypt(&file[..], PASS, io::sink()).unwrap_err(),
            AgeError::PayloadCorrupt { chunk: 0 }
        ));
    }

    /// A reader that gives `good` and then fails.
    struct Failing<'a> {
        good: &'a [u8],
    }

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.good.is_empty() {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "disk on fire"));
            }
            let n = self.good.len().min(buf.len());
            buf[..n].copy_from_slice(&self.good[..n]);
            self.good = &self.good[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_failing_input_is_an_io_error_not_a_damaged_file() {
        let file = encrypt(&pseudo_random(CHUNK + 10), PASS);
        let start = payload_start(&file);
        for cut in [start - 20, start + 100] {
            let err = decrypt(Failing { good: &file[..cut] }, PASS, io::sink()).unwrap_err();
            assert!(
                matches!(err, AgeError::Io(ref e) if e.to_string() == "disk on fire"),
                "{cut}: {err}"
            );
        }
    }

    /// A writer that takes `room` bytes and then fails.
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::other("disk full"));
            }
            let n = self.room.min(buf.len());
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_write_poisons_the_encryptor() {
        let mut enc = Encryptor::with_passphrase(Full { room: 1000 }, PASS, 10).unwrap();
        // The first chunk is sealed and written when the second begins: the write fails.
        assert!(enc.write_all(&pseudo_random(CHUNK + 1)).is_err());
        assert!(enc.write_all(b"more").is_err());
        assert!(matches!(enc.finish().err(), Some(AgeError::Poisoned)));
        // A header that cannot be written fails at once.
        assert!(matches!(
            Encryptor::with_passphrase(Full { room: 10 }, PASS, 10).err(),
            Some(AgeError::Io(_))
        ));
    }

    #[test]
    fn generated_passphrases_are_long_unambiguous_and_distinct() {
        let a = generate_passphrase().unwrap();
        let b = generate_passphrase().unwrap();
        assert_ne!(a, b);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(groups.len(), PASSPHRASE_GROUPS);
        assert!(groups.iter().all(|g| g.len() == PASSPHRASE_GROUP_LEN));
        assert!(
            a.bytes()
                .all(|c| c == b'-' || PASSPHRASE_ALPHABET.contains(&c))
        );
        assert!(!a.contains(['0', '1', 'o', 'l', 'i']));
        let bits = (PASSPHRASE_GROUPS * PASSPHRASE_GROUP_LEN) as f64
            * (PASSPHRASE_ALPHABET.len() as f64).log2();
        assert!(bits >= 128.0, "{bits}");
    }
}
