//! RTSP/1.0 messages (RFC 2326): reading requests and interleaved binary data from a
//! connection's input, and writing responses.
//!
//! Invariants: [`parse`] never consumes a partial message, and bounds what it buffers
//! ([`MAX_HEAD_BYTES`] of request line and headers, [`MAX_BODY_BYTES`] of body); a request it
//! cannot read becomes [`Parsed::Malformed`] carrying the status to answer and, when it could
//! be found, the `CSeq` to echo. Header names compare without regard to case.

/// The most bytes a request line and its headers may take.
pub(crate) const MAX_HEAD_BYTES: usize = 16 * 1024;
/// The most bytes a request body may take.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// An RTSP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// The method, e.g. `DESCRIBE`, as sent (methods are case-sensitive).
    pub(crate) method: String,
    /// The Request-URI, e.g. `rtsp://127.0.0.1:8554/cam1` or `*`.
    pub(crate) uri: String,
    /// Headers in the order sent, values trimmed.
    pub(crate) headers: Vec<(String, String)>,
    /// The body (`Content-Length` bytes).
    pub(crate) body: Vec<u8>,
}

impl Request {
    /// The first value of header `name` (any case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the start of a connection's input holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// Not a whole message yet: read more.
    Incomplete,
    /// Interleaved binary data (`$`, channel, 16-bit length, data) taking `len_bytes` bytes
    /// in all; the server reads and ignores it (RTCP receiver reports).
    Interleaved {
        /// The channel it was sent on.
        channel: u8,
        /// Bytes to consume, framing included.
        len_bytes: usize,
    },
    /// A request taking `len_bytes` bytes of input.
    Request {
        /// The request.
        request: Request,
        /// Bytes to consume.
        len_bytes: usize,
    },
    /// Input that is not a valid request.
    Malformed {
        /// The status to answer with: 400, or 505 for another RTSP version.
        status: u16,
        /// What is wrong, for the log.
        reason: &'static str,
        /// The request's `CSeq`, when one could be found.
        cseq: Option<String>,
        /// Bytes to consume to carry on with the next message, or `None` when the input
        /// cannot be resynchronised and the connection must close.
        len_bytes: Option<usize>,
    },
}

/// Reads the message at the start of `input`.
pub(crate) fn parse(input: &[u8]) -> Parsed {
    // Blank lines between messages are allowed (RFC 2326 section 15.1 via RFC 2616).
    let skipped = input
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    match parse_message(&input[skipped..]) {
        Parsed::Interleaved { channel, len_bytes } => Parsed::Interleaved {
            channel,
            len_bytes: skipped + len_bytes,
        },
        Parsed::Request { request, len_bytes } => Parsed::Request {
            request,
            len_bytes: skipped + len_bytes,
        },
        Parsed::Malformed {
            status,
            reason,
            cseq,
            len_bytes,
        } => Parsed::Malformed {
            status,
            reason,
            cseq,
            len_bytes: len_bytes.map(|n| skipped + n),
        },
        Parsed::Incomplete => Parsed::Incomplete,
    }
}

/// Reads the message at the start of `data`, which does not start with a blank line.
fn parse_message(data: &[u8]) -> Parsed {
    if data.is_empty() {
        return Parsed::Incomplete;
    }
    if data[0] == b'$' {
        if data.len() < 4 {
            return Parsed::Incomplete;
        }
        let len_bytes = 4 + usize::from(u16::from_be_bytes([data[2], data[3]]));
        if data.len() < len_bytes {
            return Parsed::Incomplete;
        }
        return Parsed::Interleaved {
            channel: data[1],
            len_bytes,
        };
    }
    let Some((head_len, separator_len)) = find_head_end(data) else {
        if data.len() > MAX_HEAD_BYTES {
            return malformed(400, "the request headers are too long", data, None);
        }
        return Parsed::Incomplete;
    };
    if head_len > MAX_HEAD_BYTES {
        return malformed(400, "the request headers are too long", data, None);
    }
    let head_end = head_len + separator_len;
    let Ok(head) = std::str::from_utf8(&data[..head_len]) else {
        return malformed(400, "the request is not UTF-8 text", data, Some(head_end));
    };
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    let parts: Vec<&str> = request_line.split(' ').collect();
    let [method, uri, version] = parts.as_slice() else {
        return malformed(
            400,
            "the request line is not METHOD URI RTSP/1.0",
            data,
            Some(head_end),
        );
    };
    let is_token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
    };
    if !is_token(method) || uri.is_empty() {
        return malformed(
            400,
            "the request line is not METHOD URI RTSP/1.0",
            data,
            Some(head_end),
        );
    }
    if *version != "RTSP/1.0" {
        let (status, reason) = if version.starts_with("RTSP/") {
            (505, "only RTSP/1.0 is supported")
        } else {
            (400, "the request line does not end in RTSP/1.0")
        };
        return malformed(status, reason, data, Some(head_end));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            // An obsolete continuation line: part of the previous header's value.
            let Some((_, value)) = headers.last_mut() else {
                return malformed(
                    400,
                    "a continuation line precedes every header",
                    data,
                    Some(head_end),
                );
            };
            value.push(' ');
            value.push_str(line.trim());
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return malformed(400, "a header line has no colon", data, Some(head_end));
        };
        if !is_token(name) {
            return malformed(400, "a header name is not a token", data, Some(head_end));
        }
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let body_len = match find("Content-Length") {
        None => 0,
        Some(value) => match value.parse::<usize>() {
            Ok(n) if n <= MAX_BODY_BYTES => n,
            Ok(_) => return malformed(400, "the request body is too long", data, None),
            Err(_) => {
                return malformed(400, "Content-Length is not a number", data, Some(head_end));
            }
        },
    };
    let Some(cseq) = find("CSeq") else {
        return malformed(
            400,
            "the request has no CSeq header",
            data,
            Some(head_end + body_len),
        )
        .wait_for_body(data.len(), head_end + body_len);
    };
    if cseq.is_empty() || !cseq.bytes().all(|b| b.is_ascii_digit()) {
        return malformed(400, "CSeq is not a number", data, Some(head_end + body_len))
            .wait_for_body(data.len(), head_end + body_len);
    }
    if data.len() < head_end + body_len {
        return Parsed::Incomplete;
    }
    Parsed::Request {
        request: Request {
            method: (*method).to_owned(),
            uri: (*uri).to_owned(),
            body: data[head_end..head_end + body_len].to_vec(),
            headers,
        },
        len_bytes: head_end + body_len,
    }
}

impl Parsed {
    /// A malformed request whose body has not fully arrived is not answered yet.
    fn wait_for_body(self, available: usize, needed: usize) -> Self {
        if available < needed {
            Parsed::Incomplete
        } else {
            self
        }
    }
}

/// Where the blank line ending the head starts, and its length (`\r\n\r\n` or `\n\n`).
fn find_head_end(data: &[u8]) -> Option<(usize, usize)> {
    let limit = data.len().min(MAX_HEAD_BYTES + 4);
    (0..limit).find_map(|i| {
        if data[i..].starts_with(b"\r\n\r\n") {
            Some((i, 4))
        } else if data[i..].starts_with(b"\n\n") {
            Some((i, 2))
        } else if data[i..].starts_with(b"\n\r\n") {
            Some((i, 3))
        } else {
            None
        }
    })
}

/// A [`Parsed::Malformed`], with the `CSeq` looked for line by line in `data`.
fn malformed(status: u16, reason: &'static str, data: &[u8], len_bytes: Option<usize>) -> Parsed {
    let head = &data[..data.len().min(MAX_HEAD_BYTES)];
    let cseq = head
        .split(|&b| b == b'\n')
        .filter_map(|line| std::str::from_utf8(line).ok())
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("CSeq"))
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()));
    Parsed::Malformed {
        status,
        reason,
        cseq,
        len_bytes,
    }
}

/// An RTSP response being built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    /// The status code, e.g. 200.
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    /// A response with `status` and no headers yet.
    pub(crate) fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Sets the body and its `Content-Type`.
    pub(crate) fn body(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers
            .push(("Content-Type".to_owned(), content_type.to_owned()));
        self.body = body;
        self
    }

    /// The response's bytes: status line, `CSeq` (echoed when known), `Server`, the headers,
    /// `Content-Length` when there is a body, a blank line, the body.
    pub(crate) fn to_bytes(&self, cseq: Option<&str>) -> Vec<u8> {
        let mut text = format!("RTSP/1.0 {} {}\r\n", self.status, reason(self.status));
        if let Some(cseq) = cseq {
            text.push_str(&format!("CSeq: {cseq}\r\n"));
        }
        text.push_str("Server: Custos simulated camera\r\n");
        for (name, value) in &self.headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        if !self.body.is_empty() {
            text.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        text.push_str("\r\n");
        let mut out = text.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

/// The reason phrase of an RTSP status code (RFC 2326 section 7.1.1).
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        451 => "Parameter Not Understood",
        454 => "Session Not Found",
        455 => "Method Not Valid in This State",
        459 => "Aggregate Operation Not Allowed",
        461 => "Unsupported Transport",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "RTSP Version Not Supported",
        551 => "Option not supported",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(input: &str) -> (Request, usize) {
        match parse(input.as_bytes()) {
            Parsed::Request { request, len_bytes } => (request, len_bytes),
            other => panic!("expected a request, got {other:?}"),
        }
    }

    #[test]
    fn reads_a_request_with_headers_in_any_case() {
        let text = "DESCRIBE rtsp://127.0.0.1:8554/cam1 RTSP/1.0\r\nCSeq: 2\r\n\
                    accept: application/sdp\r\nUser-Agent: test\r\n\r\nOPTIONS";
        let (req, len) = request(text);
        assert_eq!(req.method, "DESCRIBE");
        assert_eq!(req.uri, "rtsp://127.0.0.1:8554/cam1");
        assert_eq!(req.header("cseq"), Some("2"));
        assert_eq!(req.header("Accept"), Some("application/sdp"));
        assert_eq!(req.header("Session"), None);
        assert_eq!(&text[len..], "OPTIONS");
    }

    #[test]
    fn reads_a_body_only_once_it_has_arrived() {
        let head = "SET_PARAMETER rtsp://h/cam1 RTSP/1.0\r\nCSeq: 9\r\nContent-Length: 5\r\n\r\n";
        assert_eq!(parse(format!("{head}ab").as_bytes()), Parsed::Incomplete);
        let (req, len) = request(&format!("{head}abcde"));
        assert_eq!(req.body, b"abcde");
        assert_eq!(len, head.len() + 5);
    }

    #[test]
    fn accepts_bare_newlines_and_leading_blank_lines() {
        let (req, len) = request("\r\nOPTIONS * RTSP/1.0\nCSeq: 1\n\n");
        assert_eq!((req.method.as_str(), req.uri.as_str()), ("OPTIONS", "*"));
        assert_eq!(len, 30);
    }

    #[test]
    fn waits_for_a_whole_head() {
        assert_eq!(parse(b""), Parsed::Incomplete);
        assert_eq!(
            parse(b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n"),
            Parsed::Incomplete
        );
    }

    #[test]
    fn reads_interleaved_data() {
        assert_eq!(parse(b"$\x01\x00"), Parsed::Incomplete);
        assert_eq!(parse(b"$\x01\x00\x03ab"), Parsed::Incomplete);
        assert_eq!(
            parse(b"$\x01\x00\x03abcOPTIONS"),
            Parsed::Interleaved {
                channel: 1,
                len_bytes: 7
            }
        );
    }

    #[test]
    fn malformed_requests_get_400_with_their_cseq() {
        let cases = [
            ("GARBAGE\r\nCSeq: 7\r\n\r\n", "request line"),
            ("OPTIONS *\r\nCSeq: 7\r\n\r\n", "request line"),
            ("OPTIONS * HTTP/1.1\r\nCSeq: 7\r\n\r\n", "RTSP/1.0"),
            (
                "OPTIONS * RTSP/1.0\r\nCSeq: 7\r\nNoColonHere\r\n\r\n",
                "colon",
            ),
            (
                "OPTIONS * RTSP/1.0\r\nCSeq: 7\r\nContent-Length: x\r\n\r\n",
                "Content-Length",
            ),
            ("OPTIONS * RTSP/1.0\r\nCSeq: seven\r\n\r\n", "CSeq"),
        ];
        for (text, why) in cases {
            match parse(text.as_bytes()) {
                Parsed::Malformed {
                    status,
                    reason,
                    cseq,
                    len_bytes,
                } => {
                    assert_eq!(status, 400, "{text:?}");
                    assert!(reason.contains(why), "{text:?}: {reason}");
                    if why != "CSeq" {
                        assert_eq!(cseq.as_deref(), Some("7"), "{text:?}");
                    }
                    assert_eq!(len_bytes, Some(text.len()), "{text:?}");
                }
                other => panic!("{text:?} parsed as {other:?}"),
            }
        }
        match parse(b"OPTIONS * RTSP/1.0\r\n\r\n") {
            Parsed::Malformed { status, cseq, .. } => assert_eq!((status, cseq), (400, None)),
            other => panic!("a request without CSeq parsed as {other:?}"),
        }
    }

    #[test]
    fn another_rtsp_version_gets_505() {
        match parse(b"OPTIONS * RTSP/2.0\r\nCSeq: 3\r\n\r\n") {
            Parsed::Malformed { status, cseq, .. } => {
                assert_eq!((status, cseq.as_deref()), (505, Some("3")));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn endless_headers_close_the_connection() {
        let mut text = b"OPTIONS * RTSP/1.0\r\nCSeq: 4\r\n".to_vec();
        while text.len() <= MAX_HEAD_BYTES {
            text.extend_from_slice(b"X-Padding: 0123456789\r\n");
        }
        match parse(&text) {
            Parsed::Malformed {
                status,
                len_bytes,
                cseq,
                ..
            } => assert_eq!((status, len_bytes, cseq.as_deref()), (400, None, Some("4"))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn responses_echo_cseq_and_count_the_body() {
        let bytes = Response::new(200)
            .header("Public", "OPTIONS")
            .body("application/sdp", b"v=0\r\n".to_vec())
            .to_bytes(Some("5"));
        let text = String::from_utf8(bytes).expect("text");
        assert!(text.starts_with("RTSP/1.0 200 OK\r\nCSeq: 5\r\n"), "{text}");
        assert!(text.contains("Public: OPTIONS\r\n"));
        assert!(text.contains("Content-Type: application/sdp\r\n"));
        assert!(text.ends_with("Content-Length: 5\r\n\r\nv=0\r\n"), "{text}");
        let bare = String::from_utf8(Response::new(461).to_bytes(None)).expect("text");
        assert!(bare.starts_with("RTSP/1.0 461 Unsupported Transport\r\n"));
        assert!(!bare.contains("CSeq"));
    }
}
