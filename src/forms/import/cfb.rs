//! A minimal, bounds-checked reader of Compound File Binary containers (the OLE2 package of
//! `.xls`, `.doc` and encrypted Office files): lists the stream names and reads one stream.
//! Used to tell what a CFB file is and to pre-scan an `.xls` workbook stream before calamine
//! reads it. Every chain walk is bounded, so cyclic or truncated files end in an error.

const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const MAX_REGULAR: u32 = 0xFFFF_FFFA;

/// True when the bytes start with the CFB signature.
pub(crate) fn is_cfb(bytes: &[u8]) -> bool {
    bytes.starts_with(&SIGNATURE)
}

/// An opened compound file over a byte slice.
pub(crate) struct CompoundFile<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    mini_sector_size: usize,
    mini_cutoff: u64,
    fat: Vec<u32>,
    mini_fat: Vec<u32>,
    /// (name, type, start sector, size)
    entries: Vec<(String, u8, u32, u64)>,
    /// The root entry's mini stream, read on demand.
    mini_stream: Option<Vec<u8>>,
}

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(off..off.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(off..off.checked_add(8)?)?.try_into().ok()?,
    ))
}

impl<'a> CompoundFile<'a> {
    /// Parses the header, FAT, mini FAT and directory. `None` when the container is malformed.
    pub(crate) fn open(bytes: &'a [u8]) -> Option<Self> {
        if !is_cfb(bytes) || bytes.len() < 512 {
            return None;
        }
        let shift = u16_at(bytes, 0x1E)?;
        let sector_size = match shift {
            9 => 512usize,
            12 => 4096,
            _ => return None,
        };
        let major = u16_at(bytes, 0x1A)?;
        let mini_shift = u16_at(bytes, 0x20)?;
        if mini_shift != 6 {
            return None;
        }
        let sector_count = (bytes.len() / sector_size).saturating_sub(1) + 1;
        let mut cf = CompoundFile {
            bytes,
            sector_size,
            mini_sector_size: 64,
            mini_cutoff: u64::from(u32_at(bytes, 0x38)?),
            fat: Vec::new(),
            mini_fat: Vec::new(),
            entries: Vec::new(),
            mini_stream: None,
        };

        // DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
        let mut difat: Vec<u32> = Vec::new();
        for i in 0..109 {
            let id = u32_at(bytes, 0x4C + i * 4)?;
            if id <= MAX_REGULAR {
                difat.push(id);
            }
        }
        let mut next = u32_at(bytes, 0x44)?;
        let mut guard = 0usize;
        while next <= MAX_REGULAR {
            guard += 1;
            if guard > sector_count {
                return None;
            }
            let sector = cf.sector(next)?;
            let per = sector_size / 4 - 1;
            for i in 0..per {
                let id = u32_at(sector, i * 4)?;
                if id <= MAX_REGULAR {
                    difat.push(id);
                }
            }
            next = u32_at(sector, per * 4)?;
        }
        if difat.len() > sector_count {
            return None;
        }
        let mut fat = Vec::with_capacity(difat.len() * (sector_size / 4));
        for id in difat {
            let sector = cf.sector(id)?;
            fat.extend(
                sector
                    .chunks_exact(4)
                    .filter_map(|c| c.try_into().ok().map(u32::from_le_bytes)),
            );
        }
        cf.fat = fat;

        // Mini FAT.
        let mini_fat_start = u32_at(bytes, 0x3C)?;
        if mini_fat_start <= MAX_REGULAR {
            let raw = cf.chain(mini_fat_start, u64::MAX)?;
            cf.mini_fat = raw
                .chunks_exact(4)
                .filter_map(|c| c.try_into().ok().map(u32::from_le_bytes))
                .collect();
        }

        // Directory.
        let dir = cf.chain(u32_at(bytes, 0x30)?, u64::MAX)?;
        for entry in dir.chunks_exact(128) {
            let name_len = usize::from(u16_at(entry, 0x40)?).min(64);
            let units: Vec<u16> = entry
                .get(..name_len.saturating_sub(2))?
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            let name = String::from_utf16_lossy(&units);
            let typ = *entry.get(0x42)?;
            let start = u32_at(entry, 0x74)?;
            let mut size = u64_at(entry, 0x78)?;
            if major == 3 {
                // Version 3 files may leave garbage in the high half.
                size &= 0xFFFF_FFFF;
            }
            cf.entries.push((name, typ, start, size));
        }
        if cf.entries.is_empty() {
            return None;
        }
        Some(cf)
    }

    /// The bytes of sector `id` (may be short at the end of a truncated file).
    fn sector(&self, id: u32) -> Option<&'a [u8]> {
        let start = (usize::try_from(id).ok()?.checked_add(1)?).checked_mul(self.sector_size)?;
        let end = start.checked_add(self.sector_size)?.min(self.bytes.len());
        self.bytes.get(start..end)
    }

    /// Follows a FAT chain from `start`, reading at most `limit` bytes.
    fn chain(&self, start: u32, limit: u64) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut id = start;
        let mut steps = 0usize;
        while id != END_OF_CHAIN {
            if id > MAX_REGULAR {
                return None;
            }
            steps += 1;
            if steps > self.fat.len() + 1 {
                return None; // a cycle
            }
            out.extend_from_slice(self.sector(id)?);
            if out.len() as u64 >= limit {
                out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                break;
            }
            id = *self.fat.get(usize::try_from(id).ok()?)?;
        }
        Some(out)
    }

    /// Follows a mini FAT chain inside the root's mini stream.
    fn mini_chain(&mut self, start: u32, size: u64) -> Option<Vec<u8>> {
        if self.mini_stream.is_none() {
            let (_, _, root_start, root_size) = self.entries.first()?.clone();
            self.mini_stream = Some(self.chain(root_start, root_size)?);
        }
        let mini = self.mini_stream.as_ref()?;
        let mut out = Vec::new();
        let mut id = start;
        let mut steps = 0usize;
        while id != END_OF_CHAIN {
            if id > MAX_REGULAR {
                return None;
            }
            steps += 1;
            if steps > self.mini_fat.len() + 1 {
                return None;
            }
            let begin = usize::try_from(id)
                .ok()?
                .checked_mul(self.mini_sector_size)?;
            let end = begin.checked_add(self.mini_sector_size)?.min(mini.len());
            out.extend_from_slice(mini.get(begin..end)?);
            if out.len() as u64 >= size {
                break;
            }
            id = *self.mini_fat.get(usize::try_from(id).ok()?)?;
        }
        out.truncate(usize::try_from(size).unwrap_or(usize::MAX));
        Some(out)
    }

    /// Names of the stream entries.
    pub(crate) fn stream_names(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.1 == 2)
            .map(|e| e.0.clone())
            .collect()
    }

    /// Reads the stream with this name (case-insensitive).
    pub(crate) fn read_stream(&mut self, name: &str) -> Option<Vec<u8>> {
        let (_, _, start, size) = self
            .entries
            .iter()
            .find(|e| e.1 == 2 && e.0.eq_ignore_ascii_case(name))?
            .clone();
        // A stream cannot be larger than the file that holds it.
        if size > self.bytes.len() as u64 * 2 {
            return None;
        }
        if size < self.mini_cutoff {
            self.mini_chain(start, size)
        } else {
            let mut data = self.chain(start, size)?;
            data.truncate(usize::try_from(size).unwrap_or(usize::MAX));
            Some(data)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_compound_file() {
        assert!(CompoundFile::open(b"").is_none());
        let mut bytes = SIGNATURE.to_vec();
        bytes.resize(600, 0xFF);
        assert!(CompoundFile::open(&bytes).is_none());
    }
}
