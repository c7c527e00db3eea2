//! Small helpers for the words and numbers retort prints.

use std::time::Duration;

/// `1 step`, `2 steps`: a count with its noun (which takes a plain `s` in the plural).
pub fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    if n == N::from(1) { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// `1,234,567`: a number with its thousands grouped.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A size as PostgreSQL's `pg_size_pretty` prints it: `8192 bytes`, `16 kB`, `3 MB`, `2 GB`.
pub fn bytes(n: u64) -> String {
    let mut value = n;
    for unit in ["bytes", "kB", "MB", "GB"] {
        if value < 10 * 1024 {
            return format!("{value} {unit}");
        }
        value = (value + 512) / 1024;
    }
    format!("{value} TB")
}

/// A duration with the precision a reader wants: `0.4 ms`, `12 ms`, `1.25 s`, `2 min 5 s`.
pub fn duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    match ms {
        ms if ms < 10.0 => format!("{ms:.1} ms"),
        ms if ms < 1000.0 => format!("{ms:.0} ms"),
        ms if ms < 60_000.0 => format!("{:.2} s", ms / 1000.0),
        _ => format!("{} min {} s", d.as_secs() / 60, d.as_secs() % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_durations() {
        assert_eq!(count(1, "step"), "1 step");
        assert_eq!(count(0, "row"), "0 rows");
        assert_eq!(count(2, "migration"), "2 migrations");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(-1000), "-1,000");
        assert_eq!(duration(Duration::from_micros(900)), "0.9 ms");
        assert_eq!(duration(Duration::from_micros(12_400)), "12 ms");
        assert_eq!(duration(Duration::from_millis(1_254)), "1.25 s");
        assert_eq!(duration(Duration::from_secs(125)), "2 min 5 s");
        assert_eq!(bytes(8192), "8192 bytes");
        assert_eq!(bytes(16 * 1024), "16 kB");
        assert_eq!(bytes(3 * 1024 * 1024), "3072 kB");
        assert_eq!(bytes(30 * 1024 * 1024), "30 MB");
    }
}
