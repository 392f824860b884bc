//! The negative bank: embeddings of windows of many instruments and mixes (one window per clip),
//! computed once by `cargo xtask teach-bank` for the shipped window-clip network, so that a user
//! can teach a class from positives alone. File: `IMNB`, u32 width, u32 count (little-endian),
//! then count × width f16 values.

use tract_onnx::prelude::f16;

use crate::models::EMBEDDED_DEFAULT;

const MAGIC: &[u8; 4] = b"IMNB";

/// Embeddings that are not the taught class.
#[derive(Debug, Clone, PartialEq)]
pub struct NegativeBank {
    dim: usize,
    values: Vec<f32>,
}

impl NegativeBank {
    /// A bank of `embeddings` (all of one width).
    pub fn new(embeddings: &[Vec<f32>]) -> Result<Self, String> {
        let dim = embeddings.first().map_or(0, Vec::len);
        if dim == 0 || embeddings.iter().any(|e| e.len() != dim) {
            return Err("a negative bank needs embeddings of one non-zero width".into());
        }
        Ok(Self { dim, values: embeddings.concat() })
    }

    /// Parses a bank file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let header = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize);
        if bytes.get(..4) != Some(MAGIC) {
            return Err("not a negative bank (no IMNB header)".into());
        }
        let (Some(dim), Some(count)) = (header(4), header(8)) else { return Err("negative bank header cut short".into()) };
        let body = &bytes[12..];
        if dim == 0 || count.checked_mul(dim).and_then(|n| n.checked_mul(2)) != Some(body.len()) {
            return Err(format!("negative bank of {count} × {dim} values holds {} bytes", body.len()));
        }
        let values = body.chunks_exact(2).map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32()).collect();
        Ok(Self { dim, values })
    }

    /// The bank file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend((self.dim as u32).to_le_bytes());
        bytes.extend((self.len() as u32).to_le_bytes());
        self.values.iter().for_each(|v| bytes.extend(f16::from_f32(*v).to_le_bytes()));
        bytes
    }

    /// Embedding width.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Embeddings held.
    pub fn len(&self) -> usize {
        self.values.len() / self.dim
    }

    /// Whether the bank holds none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Embedding `index`.
    pub fn get(&self, index: usize) -> &[f32] {
        &self.values[index * self.dim..(index + 1) * self.dim]
    }
}

#[cfg(all(embedded_companion, negative_bank))]
const SHIPPED_BANK: Option<&[u8]> = Some(include_bytes!(env!("INSTRUMETER_NEGATIVE_BANK")));
#[cfg(not(all(embedded_companion, negative_bank)))]
const SHIPPED_BANK: Option<&[u8]> = None;

/// The shipped bank, when `window_network` is the network it was computed with (the embedded
/// default's companion, byte for byte); another network's embeddings mean other things.
pub fn shipped_bank_for(window_network: &[u8]) -> Option<NegativeBank> {
    let companion = EMBEDDED_DEFAULT.as_ref()?.companion?;
    if companion.onnx != window_network {
        return None;
    }
    SHIPPED_BANK.and_then(|bytes| NegativeBank::from_bytes(bytes).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_damaged_files() {
        let bank = NegativeBank::new(&[vec![0.5, -1.0, 2.0], vec![0.0, 0.25, 100.0]]).unwrap();
        let bytes = bank.to_bytes();
        assert_eq!(NegativeBank::from_bytes(&bytes).unwrap(), bank);
        assert!(NegativeBank::from_bytes(&bytes[..bytes.len() - 1]).unwrap_err().contains("holds"));
        assert!(NegativeBank::from_bytes(b"nope").unwrap_err().contains("header"));
        assert!(NegativeBank::from_bytes(&bytes[..9]).unwrap_err().contains("cut short"));
        assert!(NegativeBank::new(&[vec![1.0], vec![1.0, 2.0]]).is_err());
    }

    #[cfg(all(embedded_companion, negative_bank))]
    #[test]
    fn the_shipped_bank_belongs_to_the_embedded_companion() {
        let companion = EMBEDDED_DEFAULT.as_ref().unwrap().companion.unwrap();
        let bank = shipped_bank_for(companion.onnx).expect("the shipped bank parses");
        assert_eq!(bank.dim(), super::super::graft::embedding_model(companion.onnx).unwrap().1);
        assert!(shipped_bank_for(b"another network").is_none());
    }
}
