//! Cryptographically secure random bytes from the system generator.

use super::CryptoError;

/// Fills `buf` with cryptographically secure random bytes.
pub fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    aws_lc_rs::rand::fill(buf).map_err(|_| CryptoError("random number generator failed"))
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
