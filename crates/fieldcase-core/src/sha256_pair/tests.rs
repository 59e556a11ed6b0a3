use super::*;

/// Bytes that are not all alike, so a wrong word order or round shows.
fn sample(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn sha2_of(bytes: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(bytes).into()
}

#[test]
fn a_run_hashes_as_sha2_does_and_goes_back_and_forth_with_its_state() {
    let bytes = sample(10_000, 1);
    for split in [0, 1, 63, 64, 65, 127, 128, 4095, 9_999, 10_000] {
        let mut hasher = sha2::Sha256::new();
        hasher.update(&bytes[..split]);
        let mut run = Sha256Run::from_sha2(&hasher);
        run.update(&bytes[split..]);
        assert_eq!(run.finalize(), sha2_of(&bytes), "split at {split}");
        let mut back = run.to_sha2();
        back.update(b"more");
        let mut whole = bytes.clone();
        whole.extend_from_slice(b"more");
        assert_eq!(<[u8; 32]>::from(back.finalize()), sha2_of(&whole), "back to sha2 at {split}");
    }
}

#[test]
fn two_runs_over_the_same_bytes_give_each_its_own_hash() {
    // The whole file's run has a past (a first chunk of odd length); the chunk's run starts.
    let file = sample(300_000, 2);
    for (first, pieces) in [(0, vec![64 * 1024, 100_000]), (7, vec![1, 63, 64, 4096, 5000]), (64, vec![250_000])] {
        let mut whole = Sha256Run::default();
        whole.update(&file[..first]);
        let mut chunk = Sha256Run::default();
        let mut at = first;
        for piece in pieces {
            let end = (at + piece).min(file.len());
            update_both(&mut whole, &mut chunk, &file[at..end]);
            at = end;
        }
        assert_eq!(chunk.finalize(), sha2_of(&file[first..at]), "the chunk's own hash, from {first}");
        assert_eq!(whole.finalize(), sha2_of(&file[..at]), "the whole file's hash, from {first}");
    }
}

#[test]
fn the_paired_blocks_match_sha2_block_by_block() {
    // Straight at the block function, with two different states, so a lane mix-up shows.
    let blocks: Vec<[u8; 64]> = sample(64 * 9, 3).as_chunks::<64>().0.to_vec();
    let mut a = Sha256Run::default().state;
    let mut b = a;
    sha2::block_api::compress256(&mut b, &blocks[..1]);
    let (mut expected_a, mut expected_b) = (a, b);
    sha2::block_api::compress256(&mut expected_a, &blocks);
    sha2::block_api::compress256(&mut expected_b, &blocks);
    compress_both(&mut a, &mut b, &blocks);
    assert_eq!((a, b), (expected_a, expected_b));
}

#[test]
#[ignore = "a timing, run by hand: cargo test --release -p fieldcase-core sha256_pair -- --ignored --nocapture"]
fn timing() {
    let bytes = sample(64 << 20, 4);
    let started = std::time::Instant::now();
    let (mut a, mut b) = (Sha256Run::default(), Sha256Run::default());
    update_both(&mut a, &mut b, &bytes);
    let paired = started.elapsed();
    let started = std::time::Instant::now();
    let (mut c, mut d) = (sha2::Sha256::new(), sha2::Sha256::new());
    c.update(&bytes);
    d.update(&bytes);
    let apart = started.elapsed();
    assert_eq!(a.finalize(), <[u8; 32]>::from(c.finalize()));
    println!("paired {paired:?}, apart {apart:?}");
}
