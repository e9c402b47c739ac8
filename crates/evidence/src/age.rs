//! Passphrase encryption in the age v1 file format (<https://age-encryption.org/v1>), so an
//! evidence package handed to a requester, a solicitor or the police can be opened with the
//! standard `age` tool (or any other age implementation) and a passphrase given to them
//! separately, without Custos.
//!
//! Only the scrypt recipient is implemented, exactly as the format specifies it:
//! - the header is `age-encryption.org/v1`, one `-> scrypt SALT LOG2N` stanza whose body is
//!   the 16-byte file key sealed with ChaCha20-Poly1305 (zero nonce) under
//!   `scrypt(passphrase, "age-encryption.org/v1/scrypt" || SALT, N = 2^LOG2N, r = 8, p = 1)`,
//!   and the MAC line `--- HMAC-SHA256(HKDF-SHA256(file key, "", "header"), header)`;
//! - the payload is a 16-byte random nonce and the STREAM construction: 64 KiB plaintext
//!   chunks sealed with ChaCha20-Poly1305 under `HKDF-SHA256(file key, nonce, "payload")`,
//!   the chunk nonce being an 11-byte big-endian counter and a last-chunk flag byte.
//!
//! Invariants:
//! - encryption and decryption stream: at most one 64 KiB chunk is held in memory;
//! - a file key, salt and payload nonce are drawn fresh from the operating system for every
//!   file; a file key is never reused;
//! - decryption verifies the header MAC before writing anything and authenticates every
//!   chunk before writing it; the last-chunk flag means a file cut short at a chunk boundary
//!   is detected. Output written before an error (earlier, authentic chunks) must still be
//!   discarded, because the file as a whole did not verify;
//! - decryption refuses work factors above 2^22 (what `age` itself accepts), so a crafted
//!   file cannot make the reader spend gigabytes of memory;
//! - an [`Encryptor`] dropped without [`Encryptor::finish`] leaves a file that does not
//!   decrypt (its last chunk is missing), never one that silently decrypts short.

use std::io::{self, BufRead, BufReader, Read, Write};

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The work factor (log2 of scrypt's N) for files made in production; `age` uses the same.
pub const DEFAULT_LOG_N: u8 = 18;

/// The highest work factor accepted when encrypting or decrypting; `age` itself decrypts
/// up to the same (2^22 needs 4 GiB of memory).
pub const MAX_LOG_N: u8 = 22;

/// The first line of every age v1 file.
const INTRO: &[u8] = b"age-encryption.org/v1\n";

/// The scrypt salt's label, prepended to the stanza's random salt.
const SCRYPT_LABEL: &[u8] = b"age-encryption.org/v1/scrypt";

/// Plaintext bytes per payload chunk.
const CHUNK: usize = 64 * 1024;

/// Bytes a Poly1305 tag adds to each sealed chunk or key.
const TAG: usize = 16;

/// The longest header line read; the longest a valid line can be is far shorter.
const MAX_LINE: usize = 4096;

/// The longest header read, so a damaged file cannot make the reader buffer without end.
const MAX_HEADER: usize = 1 << 20;

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

/// The key that wraps the file key: scrypt of the passphrase with the labelled salt.
fn scrypt_key(passphrase: &str, salt: &[u8; 16], log_n: u8) -> Result<Key, AgeError> {
    let params =
        scrypt::Params::new(log_n, 8, 1, 32).map_err(|_| AgeError::InvalidWorkFactor { log_n })?;
    let mut labelled = Vec::with_capacity(SCRYPT_LABEL.len() + salt.len());
    labelled.extend_from_slice(SCRYPT_LABEL);
    labelled.extend_from_slice(salt);
    let mut key = Key::default();
    scrypt::scrypt(passphrase.as_bytes(), &labelled, &params, &mut key)
        .map_err(|_| AgeError::InvalidWorkFactor { log_n })?;
    Ok(key)
}

/// HKDF-SHA256 of the file key with `salt` and `info`, 32 bytes.
fn hkdf(file_key: &[u8; 16], salt: &[u8], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit of 255 × 32, so expanding cannot fail.
    let _ = Hkdf::<Sha256>::new(Some(salt), file_key).expand(info, &mut out);
    out
}

/// The header MAC over `header` (up to and including "---").
fn header_mac(file_key: &[u8; 16], header: &[u8]) -> Hmac<Sha256> {
    let key = hkdf(file_key, b"", b"header");
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(header);
    mac
}

/// The STREAM nonce of chunk `counter`, with the last-chunk flag.
fn chunk_nonce(counter: u64, last: bool) -> Nonce {
    let mut nonce = Nonce::default();
    nonce[3..11].copy_from_slice(&counter.to_be_bytes());
    nonce[11] = u8::from(last);
    nonce
}

/// Encrypts a stream to a passphrase in the age format; write the plaintext to it, then
/// call [`Encryptor::finish`]. It buffers one 64 KiB chunk.
pub struct Encryptor<W: Write> {
    out: W,
    aead: ChaCha20Poly1305,
    counter: u64,
    buf: Vec<u8>,
    poisoned: bool,
}

impl<W: Write> Encryptor<W> {
    /// Starts an encrypted stream to `out`, sealed with `passphrase` at work factor
    /// 2^`log_n` ([`DEFAULT_LOG_N`] in production; tests may use lower). Writes the header
    /// and payload nonce at once.
    pub fn with_passphrase(mut out: W, passphrase: &str, log_n: u8) -> Result<Self, AgeError> {
        if passphrase.is_empty() {
            return Err(AgeError::EmptyPassphrase);
        }
        if log_n == 0 || log_n > MAX_LOG_N {
            return Err(AgeError::InvalidWorkFactor { log_n });
        }
        let mut file_key = [0u8; 16];
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 16];
        random(&mut file_key)?;
        random(&mut salt)?;
        random(&mut nonce)?;

        let wrap_key = scrypt_key(passphrase, &salt, log_n)?;
        let mut body = file_key.to_vec();
        ChaCha20Poly1305::new(&wrap_key)
            .encrypt_in_place(&Nonce::default(), b"", &mut body)
            .map_err(|_| AgeError::Io(io::Error::other("sealing the file key failed")))?;

        let mut header = INTRO.to_vec();
        header.extend_from_slice(b"-> scrypt ");
        header.extend_from_slice(base64_encode(&salt).as_bytes());
        header.extend_from_slice(format!(" {log_n}\n").as_bytes());
        header.extend_from_slice(wrap_body(&base64_encode(&body)).as_bytes());
        header.extend_from_slice(b"---");
        let mac = header_mac(&file_key, &header).finalize().into_bytes();
        header.extend_from_slice(b" ");
        header.extend_from_slice(base64_encode(&mac).as_bytes());
        header.push(b'\n');

        out.write_all(&header)?;
        out.write_all(&nonce)?;
        let payload_key = hkdf(&file_key, &nonce, b"payload");
        Ok(Encryptor {
            out,
            aead: ChaCha20Poly1305::new(&Key::from(payload_key)),
            counter: 0,
            buf: Vec::with_capacity(CHUNK + TAG),
            poisoned: false,
        })
    }

    /// Seals the buffered plaintext as the last chunk, writes it and returns the writer.
    pub fn finish(mut self) -> Result<W, AgeError> {
        if self.poisoned {
            return Err(AgeError::Poisoned);
        }
        self.seal_chunk(true)?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// Seals the buffer as chunk `self.counter` and writes it.
    fn seal_chunk(&mut self, last: bool) -> Result<(), AgeError> {
        let tag: Tag = self
            .aead
            .encrypt_in_place_detached(&chunk_nonce(self.counter, last), b"", &mut self.buf)
            .map_err(|_| AgeError::Io(io::Error::other("sealing a payload chunk failed")))?;
        self.out.write_all(&self.buf)?;
        self.out.write_all(&tag)?;
        self.buf.clear();
        self.counter = self.counter.checked_add(1).ok_or_else(|| {
            AgeError::Io(io::Error::other(
                "the stream is too long for the age format",
            ))
        })?;
        Ok(())
    }
}

impl<W: Write> Write for Encryptor<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.poisoned {
            return Err(io::Error::other(AgeError::Poisoned));
        }
        if data.is_empty() {
            return Ok(0);
        }
        // A full chunk is sealed only once more data arrives: until then it may be the last.
        if self.buf.len() == CHUNK
            && let Err(e) = self.seal_chunk(false)
        {
            self.poisoned = true;
            return Err(io::Error::other(e));
        }
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    /// Flushes the underlying writer; the buffered chunk is written only when it is full and
    /// more data follows, or by [`Encryptor::finish`].
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Wraps a stanza body's base64 at 64 columns; the last line is shorter than 64 (empty if
/// the length is a multiple of 64). Every line ends with '\n'.
fn wrap_body(b64: &str) -> String {
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2);
    let mut rest = b64;
    loop {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        if line.len() < 64 {
            return out;
        }
        rest = tail;
    }
}

/// Decrypts an age file encrypted to `passphrase` from `input`, streaming the plaintext to
/// `out`. Verifies the header MAC and every chunk; on any error, discard what was written.
pub fn decrypt(input: impl Read, passphrase: &str, mut out: impl Write) -> Result<(), AgeError> {
    let mut input = BufReader::with_capacity(CHUNK + TAG, input);
    let header = read_header(&mut input)?;
    let stanza = match header.stanzas.as_slice() {
        [only] if only.args.first().map(String::as_str) == Some("scrypt") => only,
        stanzas
            if stanzas
                .iter()
                .any(|s| s.args.first().map(String::as_str) == Some("scrypt")) =>
        {
            return Err(AgeError::MalformedHeader(
                "a scrypt stanza must be the only stanza in the header",
            ));
        }
        _ => return Err(AgeError::NotPassphraseEncrypted),
    };
    let [_, salt, log_n] = stanza.args.as_slice() else {
        return Err(AgeError::MalformedHeader(
            "the scrypt stanza must have a salt and a work factor",
        ));
    };
    let salt: [u8; 16] =
        base64_decode(salt)
            .and_then(|s| s.try_into().ok())
            .ok_or(AgeError::MalformedHeader(
                "the scrypt salt is not 16 bytes of base64",
            ))?;
    let log_n = parse_work_factor(log_n)?;
    let wrapped: [u8; 16 + TAG] = stanza
        .body
        .clone()
        .try_into()
        .map_err(|_| AgeError::MalformedHeader("the scrypt stanza body is not 32 bytes"))?;

    let wrap_key = scrypt_key(passphrase, &salt, log_n)?;
    let mut file_key = [0u8; 16];
    let mut key_tag = [0u8; TAG];
    file_key.copy_from_slice(&wrapped[..16]);
    key_tag.copy_from_slice(&wrapped[16..]);
    ChaCha20Poly1305::new(&wrap_key)
        .decrypt_in_place_detached(&Nonce::default(), b"", &mut file_key, &Tag::from(key_tag))
        .map_err(|_| AgeError::WrongPassphrase)?;
    header_mac(&file_key, &header.mac_input)
        .verify_slice(&header.mac)
        .map_err(|_| AgeError::HeaderMac)?;

    let mut nonce = [0u8; 16];
    if read_full(&mut input, &mut nonce)? < nonce.len() {
        return Err(AgeError::Truncated);
    }
    let payload_key = hkdf(&file_key, &nonce, b"payload");
    let aead = ChaCha20Poly1305::new(&Key::from(payload_key));
    let mut buf = vec![0u8; CHUNK + TAG];
    let mut counter: u64 = 0;
    loop {
        let n = read_full(&mut input, &mut buf)?;
        let last = n < buf.len() || input.fill_buf()?.is_empty();
        if n < TAG {
            return Err(AgeError::Truncated);
        }
        if n == TAG && counter > 0 {
            // Only an empty plaintext has an empty (last) chunk.
            return Err(AgeError::PayloadCorrupt { chunk: counter });
        }
        let (text, tag) = buf[..n].split_at_mut(n - TAG);
        let mut chunk_tag = [0u8; TAG];
        chunk_tag.copy_from_slice(tag);
        aead.decrypt_in_place_detached(
            &chunk_nonce(counter, last),
            b"",
            text,
            &Tag::from(chunk_tag),
        )
        .map_err(|_| AgeError::PayloadCorrupt { chunk: counter })?;
        out.write_all(text)?;
        if last {
            break;
        }
        counter = counter
            .checked_add(1)
            .ok_or(AgeError::PayloadCorrupt { chunk: counter })?;
    }
    out.flush()?;
    Ok(())
}

/// Parses a work factor: decimal, no leading zeros, 1..=[`MAX_LOG_N`].
fn parse_work_factor(text: &str) -> Result<u8, AgeError> {
    let malformed = AgeError::MalformedHeader("the scrypt work factor is not a decimal number");
    if text.is_empty()
        || text.len() > 19
        || text.starts_with('0')
        || !text.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(malformed);
    }
    let value: u64 = text.parse().map_err(|_| malformed)?;
    match u8::try_from(value) {
        Ok(log_n) if log_n <= MAX_LOG_N => Ok(log_n),
        _ => Err(AgeError::WorkFactorTooHigh { log_n: value }),
    }
}

/// A recipient stanza: its arguments (the first is its type) and decoded body.
struct Stanza {
    args: Vec<String>,
    body: Vec<u8>,
}

/// A parsed header.
struct Header {
    stanzas: Vec<Stanza>,
    /// The header bytes the MAC covers: up to and including "---".
    mac_input: Vec<u8>,
    mac: Vec<u8>,
}

/// Reads one '\n'-terminated line (without the '\n'), appending it whole to `seen`.
fn read_line(input: &mut impl BufRead, seen: &mut Vec<u8>) -> Result<Vec<u8>, AgeError> {
    let mut line = Vec::new();
    input
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut line)?;
    if line.last() != Some(&b'\n') {
        return Err(if line.len() > MAX_LINE {
            AgeError::MalformedHeader("a header line is too long")
        } else if seen.is_empty() && line.is_empty() {
            AgeError::NotAgeFile
        } else {
            AgeError::Truncated
        });
    }
    seen.extend_from_slice(&line);
    if seen.len() > MAX_HEADER {
        return Err(AgeError::MalformedHeader("the header is too long"));
    }
    line.pop();
    Ok(line)
}

/// Reads and parses the header, leaving `input` at the payload.
fn read_header(input: &mut impl BufRead) -> Result<Header, AgeError> {
    let mut seen = Vec::new();
    let intro = match read_line(input, &mut seen) {
        Ok(line) => line,
        Err(AgeError::Truncated) => return Err(AgeError::NotAgeFile),
        Err(e) => return Err(e),
    };
    if intro.as_slice() != &INTRO[..INTRO.len() - 1] {
        return Err(
            if intro.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----") {
                AgeError::Armored
            } else if intro.starts_with(b"age-encryption.org/") {
                AgeError::MalformedHeader("the file is in an age version other than v1")
            } else {
                AgeError::NotAgeFile
            },
        );
    }
    let mut stanzas = Vec::new();
    loop {
        let line = read_line(input, &mut seen)?;
        if let Some(args) = line.strip_prefix(b"-> ") {
            let args = parse_args(args)?;
            let mut body = Vec::new();
            loop {
                let line = read_line(input, &mut seen)?;
                if line.len() > 64 {
                    return Err(AgeError::MalformedHeader(
                        "a stanza body line is over 64 columns",
                    ));
                }
                let text = std::str::from_utf8(&line)
                    .map_err(|_| AgeError::MalformedHeader("a stanza body is not base64"))?;
                let bytes = base64_decode(text)
                    .ok_or(AgeError::MalformedHeader("a stanza body is not base64"))?;
                body.extend_from_slice(&bytes);
                if line.len() < 64 {
                    break;
                }
            }
            stanzas.push(Stanza { args, body });
        } else if let Some(mac) = line.strip_prefix(b"--- ") {
            if stanzas.is_empty() {
                return Err(AgeError::MalformedHeader(
                    "the header has no recipient stanza",
                ));
            }
            let mac = std::str::from_utf8(mac)
                .ok()
                .and_then(base64_decode)
                .filter(|m| m.len() == 32)
                .ok_or(AgeError::MalformedHeader(
                    "the header MAC is not 32 bytes of base64",
                ))?;
            // The MAC covers the header up to "---", without the space, MAC and newline.
            let end = seen.len() - line.len() - 1 + 3;
            seen.truncate(end);
            return Ok(Header {
                stanzas,
                mac_input: seen,
                mac,
            });
        } else {
            return Err(AgeError::MalformedHeader(
                "a header line is neither a stanza (\"-> \") nor the MAC (\"--- \")",
            ));
        }
    }
}

/// Splits a stanza line's arguments: one or more, single-space separated, printable ASCII.
fn parse_args(args: &[u8]) -> Result<Vec<String>, AgeError> {
    args.split(|&b| b == b' ')
        .map(|arg| {
            if arg.is_empty() || !arg.iter().all(|&b| (0x21..=0x7e).contains(&b)) {
                return Err(AgeError::MalformedHeader(
                    "a stanza argument is empty or not printable ASCII",
                ));
            }
            Ok(String::from_utf8_lossy(arg).into_owned())
        })
        .collect()
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

/// The standard base64 alphabet.
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes `data` as standard base64 without padding.
fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for group in data.chunks(3) {
        let mut bits = [0u8; 3];
        bits[..group.len()].copy_from_slice(group);
        let n = u32::from(bits[0]) << 16 | u32::from(bits[1]) << 8 | u32::from(bits[2]);
        for i in 0..=group.len() {
            out.push(char::from(B64[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

/// Decodes standard base64 without padding, strictly: no padding, no whitespace, and the
/// unused low bits of the last character zero (so every byte string has one encoding).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for group in text.chunks(4) {
        let mut n: u32 = 0;
        for (i, &c) in group.iter().enumerate() {
            let v = B64.iter().position(|&a| a == c)?;
            n |= (v as u32) << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = group.len() - 1;
        if bytes[keep..].iter().any(|&b| b != 0) {
            return None;
        }
        out.extend_from_slice(&bytes[..keep]);
    }
    Some(out)
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
        // its own, but the second was not sealed as the last.
        let cut = start + 2 * (CHUNK + TAG);
        let mut back = Vec::new();
        let err = decrypt(&file[..cut], PASS, &mut back).unwrap_err();
        assert!(
            matches!(err, AgeError::PayloadCorrupt { chunk: 1 }),
            "{err}"
        );
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
        let x25519 = format!(
            "age-encryption.org/v1\n-> X25519 abc\nAAAA\n--- {}\n",
            "A".repeat(43)
        );
        assert!(matches!(
            decrypt(x25519.as_bytes(), PASS, io::sink()).unwrap_err(),
            AgeError::NotPassphraseEncrypted
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
    fn base64_matches_the_standard_alphabet_without_padding() {
        let cases: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"\xfb\xff\xbf", "+/+/"),
        ];
        for (raw, text) in cases {
            assert_eq!(base64_encode(raw), text);
            assert_eq!(base64_decode(text).unwrap(), raw);
        }
        // Padding, bad characters, impossible lengths and non-zero spare bits are refused.
        for bad in ["Zg==", "Zm9v\n", "Z", "Zh", "Zm9", "Zm-v"] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
        let data = pseudo_random(1000);
        assert_eq!(base64_decode(&base64_encode(&data)).unwrap(), data);
    }

    #[test]
    fn stanza_bodies_wrap_at_64_columns() {
        assert_eq!(wrap_body(""), "\n");
        assert_eq!(wrap_body("abc"), "abc\n");
        let full = "a".repeat(64);
        assert_eq!(wrap_body(&full), format!("{full}\n\n"));
        let long = "b".repeat(100);
        assert_eq!(
            wrap_body(&long),
            format!("{}\n{}\n", &long[..64], &long[64..])
        );
    }

    #[test]
    fn a_stanza_body_of_exactly_64_columns_needs_an_empty_final_line() {
        // A header whose stanza body is one 64-column line and then the MAC, without the
        // empty line, is malformed (the MAC line would be read as body).
        let header = format!(
            "age-encryption.org/v1\n-> scrypt {} 10\n{}\n--- {}\n",
            "A".repeat(22),
            "A".repeat(64),
            "A".repeat(43)
        );
        assert!(matches!(
            decrypt(header.as_bytes(), PASS, io::sink()).unwrap_err(),
            AgeError::MalformedHeader(_)
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
