//! Cryptographically secure random bytes from the system generator.
//!
//! Fuzzing builds (`--cfg fuzzing`, as cargo-fuzz builds) use a seeded generator instead,
//! so an input replays the same handshake (randoms, session ids, cookies, tickets) and a
//! crash reproduces. Ephemeral key shares still come from aws-lc's own generator; they only
//! decide keys that arbitrary fuzzer bytes cannot match anyway.

use super::CryptoError;

/// Fills `buf` with cryptographically secure random bytes.
#[cfg(not(fuzzing))]
pub fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    aws_lc_rs::rand::fill(buf).map_err(|_| CryptoError("random number generator failed"))
}

/// Fills `buf` from the fuzzing build's seeded generator (splitmix64).
#[cfg(fuzzing)]
pub fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    STATE.with(|s| {
        for chunk in buf.chunks_mut(8) {
            let x = s.get().wrapping_add(0x9e37_79b9_7f4a_7c15);
            s.set(x);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    });
    Ok(())
}

#[cfg(fuzzing)]
thread_local! {
    static STATE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Fuzzing builds: restarts the seeded generator, so each input runs from the same state.
#[cfg(fuzzing)]
pub fn reseed_for_fuzzing(seed: u64) {
    STATE.with(|s| s.set(seed));
}

/// Returns an array of `N` cryptographically secure random bytes.
pub fn array<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_and_array_produce_distinct_output() {
        let a: [u8; 32] = array().unwrap();
        let b: [u8; 32] = array().unwrap();
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);

        let mut buf = vec![0u8; 1000];
        fill(&mut buf).unwrap();
        assert!(buf.iter().any(|&x| x != 0));

        let mut empty = [0u8; 0];
        fill(&mut empty).unwrap();
        let z: [u8; 0] = array().unwrap();
        assert!(z.is_empty());
    }
}
