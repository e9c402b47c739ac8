//! What a staff page says after an action: every form that changes something ends on a
//! page whose address carries `done=CODE`, and the page shows, at the top, what was done and
//! what happens next.
//!
//! Invariants: the words come only from the table below, never from the address, so a link
//! cannot put words of its own on a Custos page; an unknown code shows nothing.

/// The codes and their words.
const DONE: &[(&str, &str)] = &[
    (
        "duty-on",
        "You are signed on duty. The time is in the duty book; sign off duty when you leave the console.",
    ),
    (
        "duty-off",
        "You are signed off duty. The time is in the duty book.",
    ),
    (
        "alarm-acknowledged",
        "What was done is recorded with the alarm in the system logbook, and the alarm no longer shows on every page.",
    ),
    (
        "case-opened",
        "The case is opened and its deadlines are set; they are shown below, and on the deadlines feed of whoever works it.",
    ),
    (
        "incident-recorded",
        "The incident is logged under the reference shown. Link its footage so that it is held, and add your witness statement if you saw it.",
    ),
    (
        "deployment-recorded",
        "The deployment is recorded under the reference shown. Record the signs when they are up, and photograph them.",
    ),
    (
        "deployment-step",
        "It is recorded in the deployment log as a new entry.",
    ),
    (
        "deployment-document",
        "The photo or document is kept, encrypted, with the deployment, and its fingerprint is in the ledger.",
    ),
    (
        "bwv-device-registered",
        "The camera is in the register and in store, ready to issue.",
    ),
    (
        "bwv-device-retired",
        "The camera is retired: it stays in the register and is never issued again.",
    ),
    (
        "bwv-issued",
        "The camera is issued and the officer's acknowledgement is in the log. Record its return when it comes back.",
    ),
    (
        "bwv-returned",
        "The camera's return is in the log, and it is back in store.",
    ),
    (
        "book-checked",
        "The check is recorded in the book, with how many things were still waiting.",
    ),
    (
        "incident-step",
        "It is recorded in the incident log as a new entry; the entry's history below shows it.",
    ),
    (
        "incident-statement",
        "Your statement is kept, encrypted, with the incident. It cannot be changed.",
    ),
    (
        "case-step",
        "The step is recorded in the case's history. What is due next is shown below.",
    ),
    (
        "case-note",
        "The note is added to the case's history. Notes cannot be changed once written.",
    ),
    (
        "case-assigned",
        "The case is assigned. Its deadlines now show on that person's deadlines feed.",
    ),
    (
        "case-footage",
        "The footage is linked to the case and held: it is not erased while the case needs it.",
    ),
    (
        "case-document",
        "The document is kept with the case, and its fingerprint is in the case's history.",
    ),
    (
        "letter-issued",
        "The letter is issued: a PDF copy is kept with the case and the case's history says when. Send it to the person it is addressed to.",
    ),
    (
        "disclosure-recorded",
        "Recorded in the case's history. What the release still needs is shown below.",
    ),
    (
        "disclosure-authorised",
        "Your authorisation is recorded in your name. Once every authorisation the scheme asks for is in, the package can be made from this page.",
    ),
    (
        "feed-replaced",
        "Your deadlines feed has a new address; the old one no longer works. Give the new one to your calendar.",
    ),
    (
        "review-recorded",
        "The result of the review is recorded in the review logbook. The footage you looked at is kept or erased as its retention says unless a hold was placed.",
    ),
    (
        "hold-placed",
        "The hold is placed: the footage it covers is not erased until the hold is released.",
    ),
    (
        "hold-released",
        "The hold is released: the footage it kept is erased when its retention period ends, unless another hold keeps it.",
    ),
    (
        "check-recorded",
        "The check is recorded in the faults and maintenance log. The camera's next check is due after the pack's interval.",
    ),
    (
        "check-failed",
        "The check is recorded, and a fault is reported on the camera for what failed. Call the contractor from the fault's page.",
    ),
    (
        "fault-reported",
        "The fault is recorded in the faults and maintenance log. Record the contractor's call when you make it, so that their response is timed.",
    ),
    (
        "fault-step",
        "It is recorded in the faults and maintenance log as a new entry.",
    ),
    (
        "maintenance-corrected",
        "The correction is recorded as a new entry in the faults and maintenance log, with its reason; what was first recorded is kept.",
    ),
    (
        "visitor-arrived",
        "The visit is recorded in the visitors' log with the undertaking as accepted. Record the time out when the visitor leaves; a supervisor countersigns it before the end of the shift.",
    ),
    (
        "visitor-left",
        "The time out is recorded in the visitors' log.",
    ),
    (
        "visit-countersigned",
        "Your countersignature is recorded with the visit in the visitors' log.",
    ),
    (
        "print-authority-recorded",
        "The written authority is in the video print register, kept encrypted. Make each print it allows from this page.",
    ),
    (
        "print-made",
        "The print is made and in the register under the reference shown. Record to whom it is given; it is kept until its destruction is authorised.",
    ),
    (
        "print-step",
        "It is recorded as a new entry in the video print register.",
    ),
    (
        "equipment-entered",
        "The entry is in the list of installed equipment. Record its removal when it is taken out; a mistake is corrected as a new entry.",
    ),
    (
        "equipment-step",
        "It is recorded as a new entry in the list of installed equipment; the entry as first made is kept.",
    ),
    (
        "visit-corrected",
        "The correction is recorded as a new entry in the visitors' log, with its reason; the visit as first recorded is kept.",
    ),
    (
        "breach-details",
        "What the notification says is recorded. Read it as the ICO will (Notification to the ICO), then record the step once it is sent.",
    ),
    (
        "hold-shortened",
        "The hold is shortened: the footage it keeps is erased once the new end has passed and its retention period has ended, unless another hold keeps it.",
    ),
    (
        "camera-added",
        "The camera is in the register. Recording starts once the recorder has reached it; its state is shown below.",
    ),
    (
        "camera-changed",
        "The change and its reason are recorded in the camera's history.",
    ),
    (
        "camera-retired",
        "The camera is retired: it no longer records, and its footage is kept until its retention period ends.",
    ),
    (
        "user-disabled",
        "The account is disabled and its sessions are ended; the person can no longer sign in.",
    ),
    (
        "user-enabled",
        "The account is enabled again; the person can sign in with their password.",
    ),
    (
        "role-granted",
        "The role is granted and recorded in the access logbook. It applies from the person's next page.",
    ),
    (
        "role-revoked",
        "The role is taken away and recorded in the access logbook. It no longer applies from the person's next page.",
    ),
    (
        "absence-recorded",
        "The absence is recorded: while it lasts, deputies may act for the roles the person holds.",
    ),
    (
        "absence-ended",
        "The absence is ended: the person acts in their own roles again, and deputies no longer stand in.",
    ),
    (
        "medium-registered",
        "The medium is registered in the media register under the reference shown. Record when it comes back or is erased.",
    ),
    (
        "medium-returned",
        "The medium's return is recorded in the media register.",
    ),
    (
        "medium-erased",
        "The medium's erasure is recorded in the media register.",
    ),
    (
        "download-requested",
        "Your request is recorded. It waits for the authorisations listed below; the people who can give them see it on their Start page. Once it is authorised, make the package from this page.",
    ),
    (
        "download-authorised",
        "Your authorisation is recorded in your name.",
    ),
    (
        "download-viewed",
        "The viewing is recorded in the download log.",
    ),
    (
        "download-destroy",
        "Your authorisation to destroy the copy is recorded, and the holds that kept the scheme's copy of the footage are released: the footage is erased when its retention period ends.",
    ),
    (
        "download-destroyed",
        "The destruction of the copy is recorded in the download log.",
    ),
];

/// The words for `code`, if it is one of ours.
pub(crate) fn words(code: &str) -> Option<&'static str> {
    DONE.iter().find(|(c, _)| *c == code).map(|(_, w)| *w)
}

/// The words for the `done` parameter of a query string, if it names one of ours.
pub(crate) fn from_query(query: Option<&str>) -> Option<&'static str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "done")
        .and_then(|(_, v)| words(v))
}

/// `path` with `done=CODE` added to its query, before any `#fragment`.
pub(crate) fn to(path: &str, code: &str) -> String {
    debug_assert!(words(code).is_some(), "no words for done code {code}");
    let (base, fragment) = path
        .split_once('#')
        .map_or((path, None), |(b, f)| (b, Some(f)));
    let sep = if base.contains('?') { '&' } else { '?' };
    match fragment {
        Some(f) => format!("{base}{sep}done={code}#{f}"),
        None => format!("{base}{sep}done={code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_words_are_shown() {
        assert_eq!(from_query(Some("done=nonsense")), None);
        assert_eq!(from_query(Some("book=duty")), None);
        assert_eq!(from_query(None), None);
        assert_eq!(from_query(Some("book=duty&done=duty-on")), words("duty-on"));
    }

    #[test]
    fn the_code_goes_before_the_fragment() {
        assert_eq!(
            to("/cases/A1#documents", "case-document"),
            "/cases/A1?done=case-document#documents"
        );
        assert_eq!(
            to("/logbooks?book=duty", "duty-on"),
            "/logbooks?book=duty&done=duty-on"
        );
        assert_eq!(to("/users", "role-granted"), "/users?done=role-granted");
    }

    #[test]
    fn every_code_is_unique() {
        for (i, (c, _)) in DONE.iter().enumerate() {
            assert!(DONE[i + 1..].iter().all(|(d, _)| d != c), "{c} twice");
        }
    }
}
