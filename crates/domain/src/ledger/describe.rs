//! Ledger entries in words: one sentence per entry — who did what to what, when it
//! matters — for the Logbooks page. The one place an entry becomes a sentence.
//!
//! Invariants: every kind in [`super::KINDS`] has its own sentence (the tests hold this);
//! an unknown kind (an entry written by a later version) falls back to a sentence naming
//! the kind in words. People, cameras, purposes and camera groups are named through
//! [`Names`], falling back to the bare id (a user name without its `user:` prefix) when the
//! name is not known. The sentence never shows JSON: the raw fields stay with the entry for
//! whoever opens its details, and the CSV and JSON-lines exports keep them unchanged.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Reference;
use crate::access::Right;
use crate::case::{CaseKind, Decision};
use crate::disclosure::{Category, LegalBasis};

/// The names a page can look up: each map goes from an id to what people call it.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// User name → the person's name.
    pub people: BTreeMap<String, String>,
    /// Camera id → its name.
    pub cameras: BTreeMap<String, String>,
    /// Purpose id → its title.
    pub purposes: BTreeMap<String, String>,
    /// Camera group id → its name.
    pub groups: BTreeMap<String, String>,
}

impl Names {
    /// The person with user name `username`, by name when known.
    pub fn person(&self, username: &str) -> String {
        self.people
            .get(username)
            .cloned()
            .unwrap_or_else(|| username.to_owned())
    }

    /// Camera `id`, by name when known.
    pub fn camera(&self, id: &str) -> String {
        self.cameras
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    /// Purpose `id`, by title when known.
    pub fn purpose(&self, id: &str) -> String {
        self.purposes
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    /// Camera group `id`, by name when known.
    pub fn group(&self, id: &str) -> String {
        self.groups
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    /// Where a role applies (`scheme`, `site:ID`, `group:ID`), in words to follow the
    /// role: "" for the whole scheme, " at site ID", " for the camera group NAME".
    pub fn scope(&self, scope: &str) -> String {
        scope_words(scope, self)
    }

    /// Who `s` is: an actor as stored (`user:NAME`, see [`Names::actor`]) or a bare user
    /// name, in words.
    pub fn who(&self, s: &str) -> String {
        if s.contains(':') {
            self.actor(s)
        } else {
            self.person(s)
        }
    }

    /// Who an actor (`user:NAME`, `console:NAME`, `system:COMPONENT`) is, in words: a
    /// person by name, someone at the server's console by their login, Custos's own
    /// components as Custos.
    pub fn actor(&self, actor: &str) -> String {
        match actor.split_once(':') {
            Some(("user", u)) => self.person(u),
            Some(("console", u)) => format!("{u} at the server's console"),
            Some(("system", "public-form")) => "The public request form".to_owned(),
            Some(("system", c)) => format!("Custos ({})", c.replace('-', " ")),
            _ => actor.to_owned(),
        }
    }
}

/// The entry in one sentence, ending with a full stop: `actor` (as stored), its `kind`,
/// its `body` and what it concerns (`refs`), with names from `names`.
pub fn describe(
    actor: &str,
    kind: &str,
    body: &Map<String, Value>,
    refs: &[Reference],
    names: &Names,
) -> String {
    let e = Entry {
        actor,
        body,
        refs,
        names,
    };
    let mut s = sentence(kind, &e).unwrap_or_else(|| generic(kind, &e));
    if let Some(roles) = e.text("as_deputy_for") {
        s.push_str(&format!(
            " (deputising for the absent {})",
            roles_words(&roles)
        ));
    }
    let s = capitalise(s.trim_end_matches('.'));
    format!("{s}.")
}

/// The fallback for a kind without its own sentence: the kind in words, and what it
/// concerns.
fn generic(kind: &str, e: &Entry<'_>) -> String {
    let mut s = format!("{} recorded “{}”", e.who(), kind.replace('-', " "));
    let about = e.concerning();
    if !about.is_empty() {
        s.push_str(&format!(" concerning {about}"));
    }
    s
}

/// An entry's parts, with the helpers the sentences use.
struct Entry<'a> {
    actor: &'a str,
    body: &'a Map<String, Value>,
    refs: &'a [Reference],
    names: &'a Names,
}

impl Entry<'_> {
    /// Who did it.
    fn who(&self) -> String {
        self.names.actor(self.actor)
    }

    /// A body field as text, when present and not empty: strings as they are, numbers and
    /// booleans written out, lists joined with commas; objects give their keys.
    fn text(&self, key: &str) -> Option<String> {
        let t = match self.body.get(key)? {
            Value::Null => return None,
            Value::String(s) => s.trim().to_owned(),
            Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Array(xs) => list(
                &xs.iter()
                    .map(|x| match x {
                        Value::String(s) => s.clone(),
                        other => plain(other),
                    })
                    .collect::<Vec<_>>(),
            ),
            Value::Object(m) => list(&m.keys().map(|k| k.replace('_', " ")).collect::<Vec<_>>()),
        };
        (!t.is_empty()).then_some(t)
    }

    /// A body field as text, or `or`.
    fn or(&self, key: &str, or: &str) -> String {
        self.text(key).unwrap_or_else(|| or.to_owned())
    }

    /// A body field as a number.
    fn num(&self, key: &str) -> Option<i64> {
        self.body.get(key).and_then(Value::as_i64)
    }

    /// A body field that is a time (RFC 3339, or already in words), in UK time.
    fn time(&self, key: &str) -> Option<String> {
        self.text(key).map(|t| uk_time(&t))
    }

    /// A body field quoted, after `lead` (": " or " — "), or nothing.
    fn quoted(&self, lead: &str, key: &str) -> String {
        self.text(key)
            .map(|t| format!("{lead}“{t}”"))
            .unwrap_or_default()
    }

    /// The values of the references of `kind`.
    fn refs_of(&self, kind: &str) -> Vec<&str> {
        self.refs
            .iter()
            .filter(|r| r.kind() == kind)
            .map(Reference::value)
            .collect()
    }

    /// The first reference of `kind`.
    fn first(&self, kind: &str) -> Option<&str> {
        self.refs_of(kind).into_iter().next()
    }

    /// The cameras concerned, by name.
    fn cameras(&self) -> String {
        let v: Vec<String> = self
            .refs_of("camera")
            .into_iter()
            .map(|c| self.names.camera(c))
            .collect();
        if v.is_empty() {
            "a camera".to_owned()
        } else {
            list(&v)
        }
    }

    /// The case concerned, as "case SAR-2026-0001".
    fn case(&self) -> String {
        self.first("case")
            .map_or_else(|| "a case".to_owned(), |c| format!("case {c}"))
    }

    /// The incident concerned, as its reference.
    fn incident(&self) -> String {
        self.first("incident").unwrap_or("?").to_owned()
    }

    /// The person concerned (the `user` reference), by name.
    fn person(&self) -> String {
        self.first("user")
            .map_or_else(|| self.who(), |u| self.names.person(u))
    }

    /// "their" when the person concerned is the actor, otherwise "NAME's".
    fn whose(&self) -> String {
        match (self.first("user"), self.actor.strip_prefix("user:")) {
            (Some(u), Some(a)) if u == a => "their".to_owned(),
            (None, _) => "their".to_owned(),
            (Some(u), _) => format!("{}'s", self.names.person(u)),
        }
    }

    /// Where from (the `source` reference), as " from ADDRESS", or nothing.
    fn source(&self) -> String {
        self.first("source")
            .map(|s| format!(" from {s}"))
            .unwrap_or_default()
    }

    /// A footage range from the body's `from` and `to` fields.
    fn range(&self, from: &str, to: &str) -> String {
        match (self.time(from), self.time(to)) {
            (Some(a), Some(b)) => span(&a, &b),
            (Some(a), None) => format!("from {a}"),
            (None, Some(b)) => format!("until {b}"),
            (None, None) => "over a range of time".to_owned(),
        }
    }

    /// Everything the entry concerns, in words, for the fallback sentence.
    fn concerning(&self) -> String {
        let v: Vec<String> = self
            .refs
            .iter()
            .map(|r| match r.kind() {
                "camera" => self.names.camera(r.value()),
                "user" => self.names.person(r.value()),
                "group" => format!("camera group {}", self.names.group(r.value())),
                k => format!("{} {}", k.replace('-', " "), r.value()),
            })
            .collect();
        list(&v)
    }
}

/// The sentence for a known kind, `None` for a kind this version does not know.
fn sentence(kind: &str, e: &Entry<'_>) -> Option<String> {
    let w = e.who();
    Some(match kind {
        // Access.
        "absence-recorded" => format!(
            "{w} recorded {} as absent from {} until {}{}",
            e.person(),
            e.or("from", "now"),
            e.or("until", "further notice"),
            e.quoted(": ", "reason")
        ),
        "absence-ended" => format!("{w} recorded that {} is back", e.person()),
        "account-locked" => format!(
            "{}'s account was locked after {} refused sign-ins in {} minutes",
            e.person(),
            e.or("failures", "several"),
            e.or("window_minutes", "a few")
        ),
        "account-unlocked" => format!(
            "{w} lifted the lock on {}'s account{}",
            e.person(),
            e.quoted(": ", "reason")
        ),
        "calendar-feed-replaced" => {
            format!("{w} replaced {} deadlines feed address", e.whose())
        }
        "declaration-accepted" => format!("{w} accepted the confidentiality declaration"),
        "live-opened" => format!(
            "{w} started watching {} live{}",
            e.cameras(),
            e.text("address")
                .map(|a| format!(" from {a}"))
                .unwrap_or_default()
        ),
        "live-closed" => format!(
            "{w} stopped watching {} live{}",
            e.cameras(),
            e.num("seconds")
                .map(|s| format!(" after {}", duration(s)))
                .unwrap_or_default()
        ),
        "mfa-enrolled" => format!("{w} set up {} second factor", e.whose()),
        "mfa-replaced" => format!("{w} replaced {} second factor", e.whose()),
        "mfa-reset" => format!(
            "{w} removed {} second factor{}",
            e.whose(),
            e.quoted(": ", "reason")
        ),
        "password-set" => format!("{w} set {} password", e.whose()),
        "screen-locked" => format!(
            "{}'s screen locked after {} minutes without use",
            e.person(),
            e.or("idle_minutes", "some")
        ),
        "screen-unlocked" => {
            format!("{w} unlocked {} screen{}", e.whose(), e.source())
        }
        "identity-confirmed" => format!(
            "{} proved at the server's console, with password and second factor, that they act in their own name{}",
            e.person(),
            e.source()
        ),
        "sign-in-refused" => format!(
            "A sign-in{}{} was refused{}",
            e.first("user")
                .map(|u| format!(" as {}", e.names.person(u)))
                .unwrap_or_default(),
            e.source(),
            e.text("second_factor")
                .map(|s| format!(" (second factor {s})"))
                .unwrap_or_default()
        ),
        "signed-in" => format!("{} signed in{}", e.person(), e.source()),
        "public-requests-refused" => format!(
            "The public request form turned away requests from network {} (over its limit of {})",
            e.or("network", "unknown"),
            e.or("limit", "requests")
        ),
        "signed-out" => format!("{} signed out{}", e.person(), e.quoted(": ", "reason")),
        "signed-out-everywhere" => format!(
            "{w} signed {} out everywhere{}{}",
            e.person(),
            e.num("sessions")
                .map(|n| format!(" ({n} session(s) ended)"))
                .unwrap_or_default(),
            e.quoted(": ", "reason")
        ),
        "source-throttled" => format!(
            "Sign-ins from network {} were paused after {} refusals in {} minutes",
            e.or("network", "unknown"),
            e.or("failures", "several"),
            e.or("window_minutes", "a few")
        ),
        "workstation-refused" => format!(
            "{w} was refused: they may {} on the cameras of {} only from its workstations, not from {}",
            e.text("right")
                .and_then(|r| r.parse::<Right>().ok())
                .map_or("do that", Right::describe),
            e.first("group")
                .map_or_else(|| "a camera group".to_owned(), |g| e.names.group(g)),
            e.or("address", "an unknown address")
        ),
        // Cases.
        "case-opened" => format!(
            "{w} opened {}, {} received {} by {}{}",
            e.case(),
            e.text("kind")
                .and_then(|k| k.parse::<CaseKind>().ok())
                .map_or("a request", |k| k.describe_with_article()),
            e.time("received").unwrap_or_default(),
            crate::case::channel_words(&e.or("channel", "staff")),
            e.text("converted_from")
                .map(|c| format!(", turned from {c}"))
                .unwrap_or_default()
        ),
        "case-await-identity" => format!(
            "{w} asked for proof of identity on {}; the deadline's clock stopped",
            e.case()
        ),
        "case-verify-identity" => format!(
            "{w} confirmed the requester's identity on {}; the deadline's clock runs again",
            e.case()
        ),
        "case-start" => format!("{w} started work on {}", e.case()),
        "case-extend" => format!(
            "{w} extended the deadline of {}{}",
            e.case(),
            e.quoted(": ", "reason")
        ),
        "case-decide" => {
            let decision = e
                .text("decision")
                .and_then(|d| d.parse::<Decision>().ok())
                .map_or_else(|| "decide".to_owned(), |d| d.describe().to_owned());
            let mut s = format!("{w} decided {} to {decision}", e.case());
            let people: Vec<String> = e
                .refs_of("user")
                .into_iter()
                .map(|u| e.names.person(u))
                .collect();
            if !people.is_empty() {
                s.push_str(&format!(", authorised by {}", list(&people)));
            }
            if let Some(c) = e.text("category").and_then(|c| c.parse::<Category>().ok()) {
                s.push_str(&format!(", for {}", c.name()));
            }
            if let Some(from) = e.text("changed_from") {
                let from = from
                    .parse::<Decision>()
                    .map_or(from.clone(), |d| d.describe().to_owned());
                s.push_str(&format!(
                    " (changed from {from}{})",
                    e.quoted(": ", "change_reason")
                ));
            }
            s.push_str(&e.quoted(": ", "reasons"));
            s
        }
        "case-close" => format!(
            "{w} sent the response and closed {}{}",
            e.case(),
            e.quoted(": ", "reason")
        ),
        "case-withdraw" => format!(
            "{w} recorded that {} was withdrawn{}",
            e.case(),
            e.quoted(": ", "reason")
        ),
        "case-acknowledge" => format!("{w} acknowledged {} in writing", e.case()),
        "case-assess-risk" => {
            let level = e
                .text("risk")
                .and_then(|l| l.parse::<crate::breach::RiskLevel>().ok())
                .map_or("assessed", |l| l.describe());
            format!(
                "{w} assessed the risk of {} to people as {level}{}",
                e.case(),
                e.quoted(": ", "reason")
            )
        }
        "case-breach-details" => format!("{w} recorded what the notification of {} says", e.case()),
        "case-notify-ico" => format!(
            "{w} recorded that the ICO was notified of {}{}",
            e.case(),
            e.quoted(", late because: ", "reason")
        ),
        "case-not-notify-ico" => format!(
            "{w} recorded why {} is not notified to the ICO{}",
            e.case(),
            e.quoted(": ", "reason")
        ),
        "case-tell-people" => format!(
            "{w} recorded that the people affected by {} were told{}",
            e.case(),
            e.quoted(": ", "reason")
        ),
        "case-not-tell-people" => format!(
            "{w} recorded that the people affected by {} are not told{}",
            e.case(),
            e.quoted(": ", "reason")
        ),
        "case-accept-late" => format!(
            "{w} accepted {} although it was raised late{}",
            e.case(),
            e.quoted(": ", "reason")
        ),
        "case-appeal" => format!(
            "{w} recorded an appeal against the answer to {}{}",
            e.case(),
            e.quoted(": ", "reason")
        ),
        "case-decide-appeal" => {
            let outcome = e
                .text("outcome")
                .and_then(|o| o.parse::<crate::case::AppealOutcome>().ok())
                .map_or("decide the appeal", |o| o.describe());
            format!(
                "{w} decided the appeal on {} to {outcome}{}",
                e.case(),
                e.quoted(": ", "reasons")
            )
        }
        "case-approve-judicially" => format!(
            "{w} recorded that a justice of the peace approved {}{}{}",
            e.case(),
            if e.text("renewal").is_some() {
                "'s renewal"
            } else {
                ""
            },
            e.text("takes_effect")
                .map(|_| format!(
                    "; in force from {}",
                    e.time("takes_effect").unwrap_or_default()
                ))
                .unwrap_or_default()
        ),
        "case-review" => format!(
            "{w} recorded a review of {}{}",
            e.case(),
            e.text("next_review")
                .map(|d| format!("; next review due {d}"))
                .unwrap_or_default()
        ),
        "case-renew" => format!(
            "{w} recorded the renewal of {}{}",
            e.case(),
            e.text("expires")
                .map(|_| format!(
                    ", now in force until {}",
                    e.time("expires").unwrap_or_default()
                ))
                .unwrap_or_default()
        ),
        "case-cancel" => format!(
            "{w} cancelled {}{}",
            e.case(),
            e.text("team_told")
                .map(|n| format!(" and told its team ({n} people)"))
                .unwrap_or_default()
        ),
        "case-agree" => format!(
            "{w} agreed to the police taking {} under {}{}",
            e.text("control")
                .and_then(|c| c.parse::<crate::police_control::ControlType>().ok())
                .map_or("control", |c| c.describe()),
            e.case(),
            e.text("starts")
                .map(|_| format!(", from {}", e.time("starts").unwrap_or_default()))
                .unwrap_or_default()
        ),
        "case-hand-back" => format!(
            "{w} recorded that the police handed control back under {}{}",
            e.case(),
            e.text("ended")
                .map(|_| format!(", at {}", e.time("ended").unwrap_or_default()))
                .unwrap_or_default()
        ),
        "case-convert-to-subject-access" => format!(
            "{w} turned {} into a subject access request{}",
            e.case(),
            e.text("became")
                .map(|c| format!(", {c}"))
                .unwrap_or_default()
        ),
        "case-footage-held" => format!(
            "{w} held footage of {}, {}, for {}",
            e.cameras(),
            e.range("footage_from", "footage_to"),
            e.case()
        ),
        "case-footage-linked" => format!(
            "{w} linked footage of {}, {}, to {}",
            e.cameras(),
            e.range("footage_from", "footage_to"),
            e.case()
        ),
        "case-assigned" => format!("{w} assigned {} to {}", e.person(), e.case()),
        "case-note-added" => format!("{w} added a note to {}", e.case()),
        "case-document-added" => format!(
            "{w} added a document to {}{}",
            e.case(),
            e.num("bytes")
                .map(|b| format!(" ({})", bytes(b)))
                .unwrap_or_default()
        ),
        "disclosure-agreement-accepted" => format!(
            "{w} recorded that the recipient accepted the release agreement for {}",
            e.case()
        ),
        "disclosure-authorised" => format!(
            "{w} authorised the release for {}{}{}",
            e.case(),
            e.text("role")
                .map(|r| format!(", acting as {}", crate::role::role_words(&r)))
                .unwrap_or_default(),
            e.text("still_needs")
                .map(|n| format!("; still needed: {n}"))
                .unwrap_or_default()
        ),
        "disclosure-crime-reference" => {
            format!("{w} recorded the crime reference for {}", e.case())
        }
        "disclosure-public-interest-test" => {
            format!("{w} recorded the public-interest test for {}", e.case())
        }
        "disclosure-released" => format!(
            "{w} released footage for {} to {}{}{}{}",
            e.case(),
            e.text("category")
                .and_then(|c| c.parse::<Category>().ok())
                .map_or("the requester", Category::name),
            e.text("legal_basis")
                .and_then(|b| b.parse::<LegalBasis>().ok())
                .map(|b| format!(" under {}", b.describe()))
                .unwrap_or_default(),
            e.first("package")
                .map(|p| format!(", as package {p}"))
                .unwrap_or_default(),
            if e.body.get("encrypted").and_then(Value::as_bool) == Some(true) {
                ", encrypted"
            } else {
                ""
            }
        ),
        // Configuration.
        "policy-loaded" => format!(
            "{w} loaded the policy pack “{}”{} as version {}",
            e.or("name", "unnamed"),
            e.text("pack_version_label")
                .map(|l| format!(" ({l})"))
                .unwrap_or_default(),
            e.or("version", "?")
        ),
        "totp-secrets-sealed" => format!(
            "{w} sealed the second-factor secrets of {} account(s)",
            e.or("accounts", "every")
        ),
        "user-added" => format!(
            "{w} added an account for {}{}",
            e.text("display_name").unwrap_or_else(|| e.person()),
            e.text("roles")
                .map(|r| format!(", with the roles {}", roles_words(&r)))
                .unwrap_or_default()
        ),
        "user-disabled" => format!(
            "{w} disabled {}'s account{}",
            e.person(),
            e.quoted(": ", "reason")
        ),
        "user-enabled" => format!(
            "{w} enabled {}'s account again{}",
            e.person(),
            e.quoted(": ", "reason")
        ),
        "user-email-set" => {
            if e.text("email").as_deref() == Some("removed") {
                format!("{w} removed {} e-mail address", e.whose())
            } else {
                format!("{w} set {} e-mail address", e.whose())
            }
        }
        "role-granted" => format!(
            "{w} gave {} the role of {}{}",
            e.person(),
            crate::role::role_words(&e.or("role", "?")),
            scope_words(&e.or("scope", "scheme"), e.names)
        ),
        "role-revoked" => format!(
            "{w} took the role of {}{} from {}",
            crate::role::role_words(&e.or("role", "?")),
            scope_words(&e.or("scope", "scheme"), e.names),
            e.person()
        ),
        "licence-recorded" => format!(
            "{w} recorded {}'s SIA licence{}{}",
            e.person(),
            e.text("number")
                .map(|n| format!(" {n}"))
                .unwrap_or_default(),
            e.text("expires_on")
                .map(|d| format!(", valid until {d}"))
                .unwrap_or_default()
        ),
        "training-recorded" => format!(
            "{w} recorded {}'s training{}{}{}",
            e.person(),
            e.quoted(" ", "course"),
            e.text("completed_on")
                .map(|d| format!(", completed on {d}"))
                .unwrap_or_default(),
            e.text("expires_on")
                .map(|d| format!(", valid until {d}"))
                .unwrap_or_default()
        ),
        "camera-added" => format!(
            "{w} added the camera {}",
            e.first("camera")
                .and_then(|c| e.names.cameras.get(c).cloned())
                .or_else(|| e.text("name"))
                .unwrap_or_else(|| e.cameras())
        ),
        "camera-changed" => format!(
            "{w} changed {}{}{}",
            e.cameras(),
            e.text("changes")
                .map(|c| format!(" ({c})"))
                .unwrap_or_default(),
            e.quoted(": ", "reason")
        ),
        "camera-retired" => format!("{w} retired {}{}", e.cameras(), e.quoted(": ", "reason")),
        "camera-group-added" => format!(
            "{w} added the camera group {}",
            e.text("name").unwrap_or_else(|| e
                .first("group")
                .map_or_else(String::new, |g| e.names.group(g)))
        ),
        "workstations-changed" => format!(
            "{w} changed the workstations of {} from {} to {}{}",
            e.first("group")
                .map_or_else(|| "a camera group".to_owned(), |g| e.names.group(g)),
            e.or("before", "anywhere"),
            e.or("after", "anywhere"),
            e.quoted(": ", "reason")
        ),
        // Downloads and evidence.
        "download-requested" => format!(
            "{w} asked to download footage, {}, as exhibit {} for {}{}",
            e.range("footage_from", "footage_to"),
            e.or("exhibit", "?"),
            e.or("requestor", "a requestor"),
            e.quoted(": ", "reason")
        ),
        "download-authorised" => format!(
            "{w} authorised the download of exhibit {}{}{}",
            e.or("exhibit", "?"),
            e.text("role")
                .map(|r| format!(", acting as {}", crate::role::role_words(&r)))
                .unwrap_or_default(),
            match e.body.get("complete").and_then(Value::as_bool) {
                Some(true) => "; nothing more is needed",
                Some(false) => "; more authorisations are needed",
                None => "",
            }
        ),
        "download-authoriser-told" => format!(
            "{w} told {} by e-mail that a download waits for their authorisation",
            e.text("to")
                .map_or_else(|| "an authoriser".to_owned(), |u| e.names.person(&u))
        ),
        "download-viewed" => format!(
            "{w} recorded that the downloaded copy was viewed{}{}",
            e.time("viewed_at")
                .map(|t| format!(" on {t}"))
                .unwrap_or_default(),
            e.quoted(": ", "note")
        ),
        "download-deletion-authorised" => format!(
            "{w} authorised deleting the downloaded copy{}{}",
            e.text("role")
                .map(|r| format!(", acting as {}", crate::role::role_words(&r)))
                .unwrap_or_default(),
            e.quoted(": ", "reason")
        ),
        "download-deleted" => format!(
            "{w} recorded that the downloaded copy was deleted{}{}",
            e.time("deleted_at")
                .map(|t| format!(" on {t}"))
                .unwrap_or_default(),
            e.quoted(": ", "how")
        ),
        "evidence-produced" => format!(
            "{w} made the evidence package for exhibit {} of footage {}{}{}{}{}",
            e.or("exhibit", "?"),
            e.range("footage_from", "footage_to"),
            e.num("segments")
                .map(|n| format!(" ({n} segments)"))
                .unwrap_or_default(),
            e.text("recipient")
                .map(|r| format!(" for {r}"))
                .unwrap_or_default(),
            e.text("authoriser")
                .map(|a| format!(", authorised by {a}"))
                .unwrap_or_default(),
            e.text("purpose")
                .map(|p| format!(": “{}”", e.names.purpose(&p)))
                .unwrap_or_default()
        ),
        "evidence-downloaded" => format!(
            "{w} downloaded the evidence package for exhibit {}",
            e.or("exhibit", "?")
        ),
        "evidence-copy-deleted" => format!(
            "{w} deleted the server's copy of a package made on the web{}{}",
            e.num("files")
                .map(|n| format!(" ({n} files)"))
                .unwrap_or_default(),
            e.text("why").map(|y| format!(": {y}")).unwrap_or_default()
        ),
        "medium-issued" => format!(
            "{w} handed over medium {}{}",
            e.first("medium").unwrap_or("?"),
            e.first("package")
                .map(|p| format!(" carrying package {p}"))
                .unwrap_or_default()
        ),
        "medium-returned" => format!(
            "{w} recorded medium {} as returned",
            e.first("medium").unwrap_or("?")
        ),
        "medium-erased" => format!(
            "{w} recorded medium {} as erased",
            e.first("medium").unwrap_or("?")
        ),
        // Incidents.
        "incident-recorded" => format!(
            "{w} recorded incident {}{}{}",
            e.incident(),
            e.first("camera")
                .map(|_| format!(" seen on {}", e.cameras()))
                .unwrap_or_default(),
            e.time("occurred")
                .map(|t| format!(", at {t}"))
                .unwrap_or_default()
        ),
        "incident-corrected" => format!(
            "{w} corrected incident {}{}{}",
            e.incident(),
            e.text("fields")
                .map(|f| format!(" ({})", f.replace('_', " ")))
                .unwrap_or_default(),
            e.quoted(": ", "reason")
        ),
        "incident-outcome" => format!("{w} recorded the outcome of incident {}", e.incident()),
        "incident-countersigned" => format!(
            "{w} countersigned incident {}{}",
            e.incident(),
            e.text("role")
                .map(|r| format!(" as {}", crate::role::role_words(&r)))
                .unwrap_or_default()
        ),
        "incident-footage-linked" => format!(
            "{w} linked footage of {}, {}, to incident {} and held it",
            e.cameras(),
            e.range("footage_from", "footage_to"),
            e.incident()
        ),
        "incident-linked" => format!(
            "{w} linked {} to incident {}",
            match (e.first("review"), e.first("download")) {
                (Some(r), _) => format!("review {r}"),
                (None, Some(d)) => format!("download {d}"),
                (None, None) => "a record".to_owned(),
            },
            e.incident()
        ),
        "incident-statement-added" => {
            format!("{w} added a witness statement to incident {}", e.incident())
        }
        // Body-worn cameras.
        "bwv-device-registered" => format!(
            "{w} entered body-worn camera {} in the register",
            e.first("bwv-device").unwrap_or("?")
        ),
        "bwv-device-retired" => format!(
            "{w} retired body-worn camera {}",
            e.first("bwv-device").unwrap_or("?")
        ),
        "bwv-issued" => format!(
            "{w} issued body-worn camera {} to {}{}",
            e.first("bwv-device").unwrap_or("?"),
            e.or("officer", "an officer"),
            if e.text("assignment").as_deref() == Some("permanent") {
                " permanently"
            } else {
                " for the day"
            }
        ),
        "bwv-returned" => format!(
            "{w} recorded body-worn camera {} returned{}",
            e.first("bwv-device").unwrap_or("?"),
            if e.text("late").as_deref() == Some("yes") {
                ", after the end of the shift"
            } else {
                ""
            }
        ),
        // Redeployable cameras.
        "deployment-recorded" => format!(
            "{w} recorded deployment {} of {} at {}",
            e.first("deployment").unwrap_or("?"),
            e.cameras(),
            e.or("place", "a place not given")
        ),
        "deployment-signs-erected" => format!(
            "{w} recorded the signs of deployment {} as erected{}",
            e.first("deployment").unwrap_or("?"),
            e.time("at").map(|t| format!(" at {t}")).unwrap_or_default()
        ),
        "deployment-signs-removed" => format!(
            "{w} recorded the signs of deployment {} as removed{}",
            e.first("deployment").unwrap_or("?"),
            e.time("at").map(|t| format!(" at {t}")).unwrap_or_default()
        ),
        "deployment-ended" => format!(
            "{w} recorded {} taken down, ending deployment {}{}",
            e.cameras(),
            e.first("deployment").unwrap_or("?"),
            e.time("at").map(|t| format!(" at {t}")).unwrap_or_default()
        ),
        "deployment-corrected" => format!(
            "{w} corrected {} of deployment {}{}",
            e.text("field").map_or_else(
                || "a detail".to_owned(),
                |f| format!("the {}", f.replace('-', " "))
            ),
            e.first("deployment").unwrap_or("?"),
            e.text("reason")
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        "deployment-document-added" => format!(
            "{w} kept a document with deployment {}",
            e.first("deployment").unwrap_or("?")
        ),
        // The supervisor's checks.
        "book-checked" => format!(
            "{w} checked the {}{}",
            e.text("book_title")
                .map_or_else(|| "book".to_owned(), |t| t.to_lowercase()),
            match e.num("open_items") {
                Some(0) => ", with nothing waiting".to_owned(),
                Some(1) => ", with one thing waiting".to_owned(),
                Some(n) => format!(", with {n} things waiting"),
                None => String::new(),
            }
        ),
        // Duty.
        "signed-on" => format!("{} went on duty", e.person()),
        "signed-off" => format!("{} went off duty", e.person()),
        // Maintenance.
        "fault-opened" => format!(
            "{} stopped recording{}{}",
            e.cameras(),
            e.time("down_since")
                .map(|t| format!(" at {t}"))
                .unwrap_or_default(),
            e.text("reason")
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        "fault-closed" => format!(
            "{} is recording again{}",
            e.cameras(),
            e.num("down_minutes")
                .map(|m| format!(" after {}", duration(m * 60)))
                .unwrap_or_default()
        ),
        "check-recorded" => format!(
            "{w} checked {}{}: {}{}",
            e.cameras(),
            e.time("checked_at")
                .map(|t| format!(" at {t}"))
                .unwrap_or_default(),
            match e.text("failed") {
                Some(f) => format!("failed ({})", f.replace('-', " ")),
                None => "passed".to_owned(),
            },
            e.first("check")
                .map(|c| format!(" (check {c})"))
                .unwrap_or_default()
        ),
        "fault-reported" => format!(
            "{w} reported a fault on {}{}{}",
            e.cameras(),
            e.quoted(": ", "description"),
            e.first("fault")
                .map(|f| format!(" (fault {f})"))
                .unwrap_or_default()
        ),
        "contractor-called" => format!(
            "{w} called {} to fault {} on {}{}",
            e.or("contractor", "the contractor"),
            e.first("fault").unwrap_or("?"),
            e.cameras(),
            e.time("called_at")
                .map(|t| format!(" at {t}"))
                .unwrap_or_default()
        ),
        "contractor-responded" => format!(
            "{w} recorded the contractor's response to fault {}{}{}",
            e.first("fault").unwrap_or("?"),
            e.time("responded_at")
                .map(|t| format!(" at {t}"))
                .unwrap_or_default(),
            e.quoted(": ", "note")
        ),
        "fault-fixed" => format!(
            "{w} recorded fault {} on {} fixed{}{}{}",
            e.first("fault").unwrap_or("?"),
            e.cameras(),
            e.time("fixed_at")
                .map(|t| format!(" at {t}"))
                .unwrap_or_default(),
            if e.text("by_contractor").as_deref() == Some("yes") {
                " by the contractor"
            } else {
                ""
            },
            e.quoted(": ", "work_done")
        ),
        "maintenance-corrected" => format!(
            "{w} corrected the {} of {} from “{}” to “{}”{}",
            e.or("field", "a detail").replace('-', " "),
            match (e.first("check"), e.first("fault")) {
                (Some(c), _) => format!("check {c}"),
                (None, Some(f)) => format!("fault {f}"),
                (None, None) => "a maintenance entry".to_owned(),
            },
            e.or("before", ""),
            e.or("after", ""),
            e.quoted(": ", "reason")
        ),
        // Recording.
        "data-key-created" => format!(
            "{w} made the encryption key for {}'s footage of {}",
            e.cameras(),
            e.or("day", "the day")
        ),
        "hour-sealed" => format!(
            "{w} sealed the hour of {}{}{}",
            e.cameras(),
            e.time("hour")
                .map(|t| format!(" from {t}"))
                .unwrap_or_default(),
            e.num("segments")
                .map(|n| format!(": {n} segments"))
                .unwrap_or_default()
        ),
        "hour-sealed-interim" => format!(
            "{w} sealed the hour of {}{} so far{}{}",
            e.cameras(),
            e.time("hour")
                .map(|t| format!(" from {t}"))
                .unwrap_or_default(),
            e.time("through")
                .map(|t| format!(", through {t}"))
                .unwrap_or_default(),
            e.num("segments")
                .map(|n| format!(": {n} segments"))
                .unwrap_or_default()
        ),
        // Retention.
        "footage-deleted" => format!(
            "{w} deleted the footage of {}, {}, at the end of its retention period{}",
            e.cameras(),
            e.range("footage_from", "footage_to"),
            e.text("why").map(|y| format!(": {y}")).unwrap_or_default()
        ),
        "footage-deleted-early" => format!(
            "{w} deleted the footage of {}, {}, before the end of its retention period{}",
            e.cameras(),
            e.range("footage_from", "footage_to"),
            e.quoted(": ", "why")
        ),
        "footage-erased" => format!(
            "{w} erased the footage of {}, {}{}",
            e.cameras(),
            e.range("footage_from", "footage_to"),
            e.quoted(": ", "why")
        ),
        "day-key-destroyed" => format!(
            "{w} destroyed the encryption key for {}'s footage of {}, so nothing recorded that day can be read again",
            e.cameras(),
            e.or("day", "the day")
        ),
        "hold-placed" => format!(
            "{w} held footage of {}, {}, until {}{}{}",
            e.cameras(),
            e.range("footage_from", "footage_to"),
            e.time("expires").unwrap_or_else(|| "released".to_owned()),
            e.text("case_ref")
                .map(|c| format!(", for case {c}"))
                .unwrap_or_default(),
            e.quoted(": ", "reason")
        ),
        "hold-confirmed" => format!(
            "{w} confirmed the hold for {}{}",
            e.case(),
            e.time("expires")
                .map(|t| format!(", until {t}"))
                .unwrap_or_default()
        ),
        "hold-released" => format!(
            "{w} released the hold on footage of {}{}{}",
            e.cameras(),
            e.text("authorised_by")
                .map(|a| format!(", authorised by {}", e.names.person(&a)))
                .unwrap_or_default(),
            e.quoted(": ", "reason")
        ),
        "hold-shortened" => format!(
            "{w} brought forward the end of a hold{}{}",
            e.time("was_expiring")
                .map(|t| format!(" from {t}"))
                .unwrap_or_default(),
            e.time("expires")
                .map(|t| format!(" to {t}"))
                .unwrap_or_default()
        ),
        "hold-expired" => format!(
            "A hold ended{}, so its footage follows the normal retention again",
            e.time("expired")
                .map(|t| format!(" on {t}"))
                .unwrap_or_default()
        ),
        "recording-paused" => format!(
            "{w} paused recording on {}{}",
            e.cameras(),
            e.quoted(": ", "why")
        ),
        "recording-resumed" => format!(
            "{w} resumed recording on {}{}",
            e.cameras(),
            e.time("paused_since")
                .map(|t| format!(", paused since {t}"))
                .unwrap_or_default()
        ),
        "sweep-finished" => format!(
            "{w} finished the retention sweep: {} segment(s) deleted ({}), {} hold(s) ended, {} day key(s) destroyed, {} downloaded cop(ies) erased",
            e.or("segments_deleted", "0"),
            bytes(e.num("bytes_deleted").unwrap_or(0)),
            e.or("holds_expired", "0"),
            e.or("keys_destroyed", "0"),
            e.or("downloads_erased", "0")
        ),
        // Reviews.
        "review-opened" => format!(
            "{w} reviewed {}, {}{}{}{}",
            e.cameras(),
            e.range("footage_from", "footage_to"),
            e.text("purpose")
                .map(|p| format!(", for {}", e.names.purpose(&p)))
                .unwrap_or_default(),
            e.quoted(": ", "reason"),
            e.text("persons_present")
                .map(|p| format!(", with {p} present"))
                .unwrap_or_default()
        ),
        "review-finished" => format!(
            "{w} finished reviewing {}{}",
            e.cameras(),
            e.quoted(": ", "result")
        ),
        // Control-room visitors.
        "visitor-arrived" => format!(
            "{w} recorded {} of {} coming into the control room{}, authorised by {}{} (visit {})",
            e.or("name", "a visitor"),
            e.or("organisation", "an organisation not given"),
            e.time("time_in")
                .map(|t| format!(" at {t}"))
                .unwrap_or_default(),
            e.or("authorised_by", "someone not named"),
            e.text("undertaking")
                .map(|u| format!("; the undertaking was accepted {}", u.replace('-', " ")))
                .unwrap_or_default(),
            e.first("visit").unwrap_or("?")
        ),
        "visitor-left" => format!(
            "{w} recorded the visitor of visit {} leaving the control room{}",
            e.first("visit").unwrap_or("?"),
            e.time("time_out")
                .map(|t| format!(" at {t}"))
                .unwrap_or_default()
        ),
        "visit-countersigned" => format!(
            "{w} countersigned visit {}{}",
            e.first("visit").unwrap_or("?"),
            e.text("role")
                .map(|r| format!(" as {}", crate::role::role_words(&r)))
                .unwrap_or_default()
        ),
        "visit-corrected" => format!(
            "{w} corrected the {} of visit {} from “{}” to “{}”{}",
            e.or("field", "a detail").replace('-', " "),
            e.first("visit").unwrap_or("?"),
            e.or("before", ""),
            e.or("after", ""),
            e.quoted(": ", "reason")
        ),
        // Video prints.
        "print-authority-recorded" => format!(
            "{w} recorded the written authority of {} {}{}{} for video prints{} ({})",
            e.text("rank")
                .and_then(|r| r.parse::<crate::prints::Rank>().ok())
                .map(|r| r.describe().to_owned())
                .unwrap_or_else(|| "a police officer".to_owned()),
            e.or("officer", "not named"),
            e.text("number")
                .map(|n| format!(" (warrant or collar number {n})"))
                .unwrap_or_default(),
            e.text("force")
                .map(|f| format!(", {f}"))
                .unwrap_or_default(),
            e.quoted(": ", "request"),
            e.first("print-authority").unwrap_or("?")
        ),
        "print-authority-corrected" => format!(
            "{w} corrected the {} of written authority {} from “{}” to “{}”{}",
            e.or("field", "a detail").replace('-', " "),
            e.first("print-authority").unwrap_or("?"),
            e.or("before", ""),
            e.or("after", ""),
            e.quoted(": ", "reason")
        ),
        "video-print-made" => format!(
            "{w} made video print {} of {}{} under written authority {}",
            e.first("print").unwrap_or("?"),
            e.cameras(),
            e.time("frame_at")
                .map(|t| format!(" at {t}"))
                .unwrap_or_default(),
            e.first("print-authority").unwrap_or("?")
        ),
        "video-print-downloaded" => format!(
            "{w} took the still of video print {}",
            e.first("print").unwrap_or("?")
        ),
        "video-print-given" => format!(
            "{w} recorded video print {} as given to {}{}{}",
            e.first("print").unwrap_or("?"),
            e.or("to", "someone not named"),
            e.text("organisation")
                .map(|o| format!(" ({o})"))
                .unwrap_or_default(),
            e.time("at").map(|t| format!(" on {t}")).unwrap_or_default()
        ),
        "video-print-destruction-authorised" => format!(
            "{w} authorised the destruction of video print {}{}{}",
            e.first("print").unwrap_or("?"),
            e.text("role")
                .map(|r| format!(" as {}", crate::role::role_words(&r)))
                .unwrap_or_default(),
            e.quoted(": ", "reason")
        ),
        "video-print-destroyed" => format!(
            "{w} destroyed video print {}",
            e.first("print").unwrap_or("?")
        ),
        "video-print-corrected" => format!(
            "{w} corrected the {} of video print {} from “{}” to “{}”{}",
            e.or("field", "a detail").replace('-', " "),
            e.first("print").unwrap_or("?"),
            e.or("before", ""),
            e.or("after", ""),
            e.quoted(": ", "reason")
        ),
        // Installed equipment.
        "equipment-entered" => format!(
            "{w} entered {} in the list of installed equipment{}{}{} ({})",
            match e.first("camera") {
                Some(c) => format!("the details of camera {}", e.names.camera(c)),
                None => e
                    .text("kind")
                    .map(|k| format!("a {}", k.replace('-', " ")))
                    .unwrap_or_else(|| "a piece of equipment".to_owned()),
            },
            e.quoted(": ", "make_model"),
            e.text("serial_number")
                .map(|n| format!(", serial number {n}"))
                .unwrap_or_default(),
            e.text("installed_on")
                .map(|d| format!(", installed on {d}"))
                .unwrap_or_default(),
            e.first("equipment").unwrap_or("?")
        ),
        "equipment-removed" => format!(
            "{w} recorded the removal of {} on {}{}",
            e.first("equipment").unwrap_or("?"),
            e.or("removed_on", "a day not given"),
            e.quoted(": ", "reason")
        ),
        "equipment-corrected" => format!(
            "{w} corrected the {} of {} from “{}” to “{}”{}",
            e.or("field", "a detail").replace('-', " "),
            e.first("equipment").unwrap_or("?"),
            e.or("before", ""),
            e.or("after", ""),
            e.quoted(": ", "reason")
        ),
        // The system.
        "schema-migrated" => format!(
            "{w} updated the database from version {} to {}{}",
            e.or("from_version", "?"),
            e.or("to_version", "?"),
            e.text("step")
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        ),
        "ledger-verified" => format!(
            "{w} checked the ledger: {} entries intact, up to entry {}",
            e.or("entries", "all"),
            e.or("head_seq", "the last")
        ),
        "ledger-verification-failed" => format!(
            "{w} found the ledger damaged{}{}",
            e.num("entry")
                .filter(|n| *n > 0)
                .map(|n| format!(" at entry {n}"))
                .unwrap_or_default(),
            e.text("problem")
                .map(|p| format!(": {p}"))
                .unwrap_or_default()
        ),
        "ledger-unsigned-tail" => format!(
            "{w} found entries {} to {} not covered by any signature; someone who reads the logbooks should check and acknowledge them",
            e.or("first_entry", "?"),
            e.or("last_entry", "?")
        ),
        "ledger-alarm-acknowledged" => format!(
            "{w} acknowledged the ledger alarm{}",
            e.quoted(": ", "note")
        ),
        "ledger-accepted" => format!(
            "{w} accepted the restored ledger as it stands{}{}",
            e.text("agreed_to")
                .map(|n| format!(", up to entry {n}"))
                .unwrap_or_default(),
            e.quoted(": ", "reason")
        ),
        "witness-failed" => format!(
            "The witness {} could not take the ledger's checkpoint{}",
            e.or("witness", "?"),
            e.text("error")
                .map(|x| format!(": {x}"))
                .unwrap_or_default()
        ),
        "witness-restored" => format!(
            "The witness {} takes the ledger's checkpoints again",
            e.or("witness", "?")
        ),
        _ => return None,
    })
}

/// Whether `kind` has a sentence of its own (not the fallback).
pub fn has_sentence(kind: &str) -> bool {
    let body = Map::new();
    let names = Names::default();
    sentence(
        kind,
        &Entry {
            actor: "system:test",
            body: &body,
            refs: &[],
            names: &names,
        },
    )
    .is_some()
}

/// `s` with its first letter a capital.
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A value as plain text (no JSON punctuation).
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(xs) => list(&xs.iter().map(plain).collect::<Vec<_>>()),
        Value::Object(m) => list(&m.keys().cloned().collect::<Vec<_>>()),
        other => other.to_string(),
    }
}

/// "a", "a and b", "a, b and c".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// An RFC 3339 instant in UK time (`2026-11-23 09:30 GMT`); other text as it is.
fn uk_time(t: &str) -> String {
    t.parse::<jiff::Timestamp>().map_or_else(
        |_| t.to_owned(),
        |ts| custos_base::UnixMs(ts.as_millisecond()).to_london_display(),
    )
}

/// Two UK times as a span, the date once when both fall on it:
/// `2026-11-23 09:30–09:40 GMT`.
fn span(a: &str, b: &str) -> String {
    let pa: Vec<&str> = a.split(' ').collect();
    let pb: Vec<&str> = b.split(' ').collect();
    match (pa.as_slice(), pb.as_slice()) {
        ([da, ta, za], [db, tb, zb]) if da == db && za == zb => format!("{da} {ta}–{tb} {za}"),
        _ => format!("{a} to {b}"),
    }
}

/// Seconds in words: "45 seconds", "3 minutes", "2 hours 5 minutes".
fn duration(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    let unit = |n: i64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (h, m) {
        (0, 0) => unit(s, "second"),
        (0, m) => unit(m, "minute"),
        (h, 0) => unit(h, "hour"),
        (h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
    }
}

/// A size in bytes in words: "512 bytes", "3.2 MB".
fn bytes(n: i64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1000.0;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// Role ids as written in an entry ("dpo, manager" or a list) in words.
fn roles_words(roles: &str) -> String {
    let v: Vec<String> = roles
        .split([',', ';'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            // `role@scope` or `role (scope)` as some entries write them.
            let (role, _) = r.split_once([' ', '@']).unwrap_or((r, ""));
            crate::role::role_words(role)
        })
        .collect();
    list(&v)
}

/// Where a role applies, in words: "" for the whole scheme, " at site X", " for the
/// camera group NAME".
fn scope_words(scope: &str, names: &Names) -> String {
    match scope.split_once(':') {
        Some(("site", s)) => format!(" at site {s}"),
        Some(("group", g)) => format!(" for the camera group {}", names.group(g)),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::KINDS;

    fn names() -> Names {
        let mut n = Names::default();
        n.people.insert("dpo".into(), "Demo dpo".into());
        n.people.insert("op".into(), "Olive Operator".into());
        n.cameras
            .insert("sim-1".into(), "Simulated camera 1".into());
        n.purposes
            .insert("security".into(), "Security and safety".into());
        n.groups
            .insert("demo-cameras".into(), "Demo cameras".into());
        n
    }

    /// A body with every field any entry writes, some as lists and objects, so a sentence
    /// that printed a raw value would show its braces.
    fn body() -> Map<String, Value> {
        let v = serde_json::json!({
            "reason": "report of a stolen bike",
            "purpose": "security",
            "footage_from": "2026-12-07T10:00:00Z",
            "footage_to": "2026-12-07T10:10:00Z",
            "changes": {"name": {"from": "a", "to": "b"}},
            "roles": ["dpo", "manager"],
            "kind": "subject-access",
            "channel": "public-form",
            "received": "2026-12-07T16:44:00Z",
            "decision": "view-only",
            "category": "law-enforcement",
            "legal_basis": "court-order",
            "role": "dpo",
            "scope": "group:demo-cameras",
            "seconds": 125,
            "bytes": 2_500_000,
            "exhibit": "EX-1",
            "name": "School pack",
            "version": 2,
            "right": "review-recordings",
            "to": "op",
            "authorised_by": "op",
            "entries": 10,
            "head_seq": 10,
        });
        match v {
            Value::Object(m) => m,
            _ => unreachable!("an object"),
        }
    }

    fn refs() -> Vec<Reference> {
        [
            ("camera", "sim-1"),
            ("case", "SAR-2026-0001"),
            ("user", "op"),
            ("group", "demo-cameras"),
            ("source", "192.0.2.7"),
            ("medium", "USB-1"),
            ("package", "p-1"),
        ]
        .iter()
        .map(|(k, v)| Reference::new(k, *v).expect("reference"))
        .collect()
    }

    #[test]
    fn every_kind_is_a_sentence_in_words_naming_the_actor() {
        let (names, body, refs) = (names(), body(), refs());
        for (_, kind, _) in KINDS {
            assert!(has_sentence(kind), "{kind} has no sentence of its own");
            let s = describe("user:dpo", kind, &body, &refs, &names);
            assert!(!s.contains(['{', '}', '[', ']']), "{kind}: {s}");
            assert!(
                !s.contains("user:") && !s.contains("system:"),
                "{kind}: {s}"
            );
            assert!(
                s.ends_with('.') && s.starts_with(char::is_uppercase),
                "{kind}: {s}"
            );
            assert!(
                s.contains("Demo dpo")
                    || s.contains("Olive Operator")
                    || s.contains("Simulated camera 1")
                    || s.starts_with("The ")
                    || s.starts_with("A ")
                    || s.starts_with("Sign-ins"),
                "{kind} names who or what: {s}"
            );
            // Even with nothing in the body, the sentence stands.
            let bare = describe("user:dpo", kind, &Map::new(), &[], &names);
            assert!(!bare.contains(['{', '}']), "{kind}: {bare}");
        }
    }

    #[test]
    fn a_review_reads_as_who_reviewed_what_when_and_why() {
        let s = describe("user:dpo", "review-opened", &body(), &refs(), &names());
        assert_eq!(
            s,
            "Demo dpo reviewed Simulated camera 1, 2026-12-07 10:00–10:10 GMT, for Security and safety: “report of a stolen bike”."
        );
    }

    #[test]
    fn people_without_a_known_name_appear_by_user_name_without_the_prefix() {
        let s = describe(
            "user:stranger",
            "signed-in",
            &Map::new(),
            &[Reference::new("user", "stranger").expect("ref")],
            &Names::default(),
        );
        assert_eq!(s, "Stranger signed in.");
        let s = describe(
            "console:root",
            "policy-loaded",
            &body(),
            &[],
            &Names::default(),
        );
        assert!(
            s.starts_with("Root at the server's console loaded the policy pack “School pack”"),
            "{s}"
        );
        let s = describe(
            "system:retention-sweeper",
            "sweep-finished",
            &Map::new(),
            &[],
            &Names::default(),
        );
        assert!(s.starts_with("Custos (retention sweeper) finished"), "{s}");
    }

    #[test]
    fn an_unknown_kind_is_named_in_words() {
        let s = describe(
            "user:dpo",
            "visitor-signed-in",
            &Map::new(),
            &refs()[..1],
            &names(),
        );
        assert_eq!(
            s,
            "Demo dpo recorded “visitor signed in” concerning Simulated camera 1."
        );
    }
}
