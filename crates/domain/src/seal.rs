//! Seals over recorded footage (BJS-4): when a camera-hour closes, the Merkle root of its
//! segments' SHA-256 hashes goes into the ledger, so any one segment can later be proven
//! untouched since capture with a short inclusion proof, without the other segments.
//!
//! The tree (documented in `docs/ref/storage.md`): leaves are the segments of one camera's
//! stream whose start falls in the hour, in order of start time; a leaf hash is
//! SHA-256(0x00 ‖ segment hash), an inner node SHA-256(0x01 ‖ left ‖ right); a list of n > 1
//! leaves splits at k, the largest power of two below n (the first k on the left) — the
//! shape of RFC 6962's Merkle tree hash. The root of no leaves is SHA-256 of nothing.
//!
//! Invariants: pure functions; [`verify_inclusion`] accepts exactly the proofs
//! [`inclusion_proof`] makes for the same leaves.

use sha2::{Digest, Sha256};

use crate::ledger::Hash;

fn leaf(h: &Hash) -> [u8; 32] {
    let mut d = Sha256::new();
    d.update([0u8]);
    d.update(h.0);
    d.finalize().into()
}

fn node(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
    let mut d = Sha256::new();
    d.update([1u8]);
    d.update(l);
    d.update(r);
    d.finalize().into()
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn root_of(leaves: &[Hash]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaf(&leaves[0]),
        n => {
            let k = split(n);
            node(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// The Merkle root of the segment hashes, in order.
pub fn merkle_root(segments: &[Hash]) -> Hash {
    Hash(root_of(segments))
}

/// The sibling hashes that prove segment `index` is in the tree of `segments`, from the
/// leaf up; `None` if `index` is out of range.
pub fn inclusion_proof(segments: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= segments.len() {
        return None;
    }
    let mut out = Vec::new();
    let mut lo = 0;
    let mut hi = segments.len();
    let mut path = Vec::new();
    while hi - lo > 1 {
        let k = split(hi - lo);
        if index < lo + k {
            path.push(Hash(root_of(&segments[lo + k..hi])));
            hi = lo + k;
        } else {
            path.push(Hash(root_of(&segments[lo..lo + k])));
            lo += k;
        }
    }
    // Collected from the root down; the proof runs from the leaf up.
    out.extend(path.into_iter().rev());
    Some(out)
}

/// Whether `proof` shows that `segment` is leaf `index` of `count` leaves under `root`.
pub fn verify_inclusion(
    root: &Hash,
    segment: &Hash,
    index: usize,
    count: usize,
    proof: &[Hash],
) -> bool {
    if index >= count {
        return false;
    }
    // The directions at each level, from the root down, as the tree shape dictates.
    let mut dirs = Vec::new();
    let (mut lo, mut hi) = (0, count);
    while hi - lo > 1 {
        let k = split(hi - lo);
        let left = index < lo + k;
        dirs.push(left);
        if left {
            hi = lo + k;
        } else {
            lo += k;
        }
    }
    if dirs.len() != proof.len() {
        return false;
    }
    let mut acc = leaf(segment);
    for (sibling, went_left) in proof.iter().zip(dirs.iter().rev()) {
        acc = if *went_left {
            node(&acc, &sibling.0)
        } else {
            node(&sibling.0, &acc)
        };
    }
    acc == root.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(i: u8) -> Hash {
        Hash(Sha256::digest([i]).into())
    }

    /// BJS-4: every segment of hours of 0 to 40 segments proves its place under the root;
    /// a changed segment, a wrong position or a changed proof does not.
    #[test]
    fn bjs_4_each_segment_proves_its_place_and_changes_are_caught() {
        for n in 0..=40u8 {
            let leaves: Vec<Hash> = (0..n).map(h).collect();
            let root = merkle_root(&leaves);
            for i in 0..leaves.len() {
                let proof = inclusion_proof(&leaves, i).expect("proof");
                assert!(
                    verify_inclusion(&root, &leaves[i], i, leaves.len(), &proof),
                    "{n} {i}"
                );
                assert!(!verify_inclusion(&root, &h(200), i, leaves.len(), &proof));
                if leaves.len() > 1 {
                    let j = (i + 1) % leaves.len();
                    assert!(
                        !verify_inclusion(&root, &leaves[i], j, leaves.len(), &proof)
                            || leaves[i] == leaves[j]
                    );
                }
                if let Some(first) = proof.first() {
                    let mut bad = proof.clone();
                    bad[0] = Hash(node(&first.0, &first.0));
                    assert!(!verify_inclusion(&root, &leaves[i], i, leaves.len(), &bad));
                }
            }
            assert!(inclusion_proof(&leaves, leaves.len()).is_none());
        }
    }

    /// The tree's shape is fixed: of three leaves, the first two pair up.
    #[test]
    fn the_root_of_three_leaves_is_left_heavy() {
        let l = [h(1), h(2), h(3)];
        let expected = node(&node(&leaf(&l[0]), &leaf(&l[1])), &leaf(&l[2]));
        assert_eq!(merkle_root(&l).0, expected);
        assert_eq!(merkle_root(&[]).0, <[u8; 32]>::from(Sha256::digest([])));
    }
}
