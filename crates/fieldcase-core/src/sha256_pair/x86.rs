//! Two SHA-256 states through the same blocks with the x86 SHA extensions (SHA-NI): each
//! block's message schedule computed once, the two states' round instructions interleaved.
//!
//! The state is held as the extensions want it, two registers per hash: (A, B, E, F) and
//! (C, D, G, H). Each `sha256rnds2` does two rounds; four message words go through four rounds
//! as two `sha256rnds2`, the second on the words' upper half.

use std::arch::x86_64::{
    __m128i, _mm_add_epi32, _mm_alignr_epi8, _mm_extract_epi32, _mm_set_epi32, _mm_sha256msg1_epu32,
    _mm_sha256msg2_epu32, _mm_sha256rnds2_epu32, _mm_shuffle_epi32,
};

/// The SHA-256 round constants.
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
];

/// Whether this CPU has the instructions [`compress_both`] uses (detected once, then cached).
pub fn available() -> bool {
    std::arch::is_x86_feature_detected!("sha")
        && std::arch::is_x86_feature_detected!("sse4.1")
        && std::arch::is_x86_feature_detected!("ssse3")
}

/// Runs both states through `blocks`. Call only where [`available`] said yes.
pub fn compress_both(a: &mut [u32; 8], b: &mut [u32; 8], blocks: &[[u8; 64]]) {
    debug_assert!(available());
    // SAFETY: the function needs the SHA, SSSE3 and SSE4.1 instructions, and callers come only
    // after `available()` found them on this CPU. Nothing else in it is unsafe.
    #[allow(unsafe_code)]
    unsafe {
        with_sha_ni(a, b, blocks)
    }
}

/// The words `at..at + 4` of `w`, as the extensions take them (word `at` in the lowest lane).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
#[inline]
fn lanes(w: &[u32], at: usize) -> __m128i {
    // Bit patterns: the casts only reinterpret the words for the intrinsic's i32 lanes.
    _mm_set_epi32(w[at + 3] as i32, w[at + 2] as i32, w[at + 1] as i32, w[at] as i32)
}

#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn with_sha_ni(a: &mut [u32; 8], b: &mut [u32; 8], blocks: &[[u8; 64]]) {
    let (mut abef_a, mut cdgh_a) = load(a);
    let (mut abef_b, mut cdgh_b) = load(b);
    for block in blocks {
        let (saved_abef_a, saved_cdgh_a, saved_abef_b, saved_cdgh_b) = (abef_a, cdgh_a, abef_b, cdgh_b);
        let words: [u32; 16] = std::array::from_fn(|i| {
            u32::from_be_bytes([block[4 * i], block[4 * i + 1], block[4 * i + 2], block[4 * i + 3]])
        });
        // The schedule four words at a time, the last four groups kept in g0..g3 (unrolled, so
        // that each group stays in its register).
        let (mut g0, mut g1, mut g2, mut g3) =
            (lanes(&words, 0), lanes(&words, 4), lanes(&words, 8), lanes(&words, 12));
        macro_rules! rounds {
            ($n:expr, $group:expr) => {{
                let low = _mm_add_epi32($group, lanes(&K, 4 * $n));
                let high = _mm_shuffle_epi32::<0x0E>(low);
                // Two rounds leave the new (A, B, E, F) in the register that held (C, D, G, H),
                // whose next (C, D, G, H) is the old (A, B, E, F): two more, and each is back.
                cdgh_a = _mm_sha256rnds2_epu32(cdgh_a, abef_a, low);
                cdgh_b = _mm_sha256rnds2_epu32(cdgh_b, abef_b, low);
                abef_a = _mm_sha256rnds2_epu32(abef_a, cdgh_a, high);
                abef_b = _mm_sha256rnds2_epu32(abef_b, cdgh_b, high);
            }};
        }
        // W[t..t+4] from W[t-16..t]: msg1 adds σ0 of the words after the oldest group, the
        // aligned middle adds W[t-7..t-3], msg2 adds σ1 of the newest.
        macro_rules! next {
            ($oldest:ident, $older:ident, $old:ident, $newest:ident) => {
                $oldest = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32($oldest, $older), _mm_alignr_epi8::<4>($newest, $old)),
                    $newest,
                );
            };
        }
        rounds!(0, g0);
        rounds!(1, g1);
        rounds!(2, g2);
        rounds!(3, g3);
        for quad in 1..4 {
            next!(g0, g1, g2, g3);
            rounds!(4 * quad, g0);
            next!(g1, g2, g3, g0);
            rounds!(4 * quad + 1, g1);
            next!(g2, g3, g0, g1);
            rounds!(4 * quad + 2, g2);
            next!(g3, g0, g1, g2);
            rounds!(4 * quad + 3, g3);
        }
        abef_a = _mm_add_epi32(abef_a, saved_abef_a);
        cdgh_a = _mm_add_epi32(cdgh_a, saved_cdgh_a);
        abef_b = _mm_add_epi32(abef_b, saved_abef_b);
        cdgh_b = _mm_add_epi32(cdgh_b, saved_cdgh_b);
    }
    store(a, abef_a, cdgh_a);
    store(b, abef_b, cdgh_b);
}

/// The state words A..H as (A, B, E, F) and (C, D, G, H), highest lane first.
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
#[inline]
fn load(state: &[u32; 8]) -> (__m128i, __m128i) {
    let [a, b, c, d, e, f, g, h] = state.map(|w| w as i32);
    (_mm_set_epi32(a, b, e, f), _mm_set_epi32(c, d, g, h))
}

#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
#[inline]
fn store(state: &mut [u32; 8], abef: __m128i, cdgh: __m128i) {
    let word = |v: __m128i, lane: i32| -> u32 {
        let value = match lane {
            3 => _mm_extract_epi32::<3>(v),
            2 => _mm_extract_epi32::<2>(v),
            1 => _mm_extract_epi32::<1>(v),
            _ => _mm_extract_epi32::<0>(v),
        };
        value as u32
    };
    *state = [
        word(abef, 3),
        word(abef, 2),
        word(cdgh, 3),
        word(cdgh, 2),
        word(abef, 1),
        word(abef, 0),
        word(cdgh, 1),
        word(cdgh, 0),
    ];
}
