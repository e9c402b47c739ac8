//! Kinds of case: the requests, complaints and other matters the scheme must answer, each
//! with its own deadline and workflow (LBU-18, BJS-10, ALT-10, BDC-29, BDC-30, LJM-11).
//!
//! Invariants: the vocabulary is closed — packs and the database use these ids only — so a
//! role's `work-cases` right can be limited to some kinds (`access.case_kinds`) and every
//! case kind has a known meaning.

kebab_enum! {
    /// What a case is about.
    CaseKind, "case kind" {
        /// A subject access request: a person asking for footage of themselves (LBU-18,
        /// BJS-10, ALT-10, BDC-29).
        SubjectAccess = "subject-access",
        /// A request to erase footage (BJS-10, LBU-18, BDC-30).
        Erasure = "erasure",
        /// An objection to processing (BJS-10, LBU-18, BDC-30).
        Objection = "objection",
        /// A request to restrict processing (BJS-10, LBU-18, BDC-30).
        Restriction = "restriction",
        /// A request to rectify (BDC-30).
        Rectification = "rectification",
        /// A Freedom of Information request (LJM-11, LBU-23, BJS-11).
        Foi = "foi",
        /// A request from a third party for footage: police, solicitors, insurers and others
        /// (LBU-19, ALT-13, BDC-39).
        Disclosure = "disclosure",
        /// A complaint about the scheme (SCC-3, BDC-13).
        Complaint = "complaint",
        /// A personal data breach.
        Breach = "breach",
    }
}
