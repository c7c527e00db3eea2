//! Dependency order: which objects must be created before which, as a stable topological sort.

use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` so that every item comes after the items it depends on. `key` names an item and
/// `deps` lists the names it needs; names that are not among the items are ignored (they are
/// created elsewhere). Items in a cycle keep their input order at the end.
pub fn topological<T, K: Ord + Clone>(items: Vec<T>, key: impl Fn(&T) -> K, deps: impl Fn(&T) -> Vec<K>) -> Vec<T> {
    let keys: Vec<K> = items.iter().map(&key).collect();
    let index: BTreeMap<K, Vec<usize>> = keys.iter().enumerate().fold(BTreeMap::new(), |mut m, (i, k)| {
        m.entry(k.clone()).or_insert_with(Vec::new).push(i);
        m
    });
    let needs: Vec<BTreeSet<usize>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            deps(item).iter().filter_map(|d| index.get(d)).flatten().copied().filter(|&j| j != i).collect()
        })
        .collect();
    let mut placed = vec![false; items.len()];
    let mut order = Vec::with_capacity(items.len());
    // Repeated passes keep the input order among independent items; schemas are small enough.
    loop {
        let before = order.len();
        for i in 0..items.len() {
            if !placed[i] && needs[i].iter().all(|&j| placed[j]) {
                placed[i] = true;
                order.push(i);
            }
        }
        if order.len() == before {
            break;
        }
    }
    order.extend((0..items.len()).filter(|&i| !placed[i]));
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_first_stable_otherwise() {
        let items = vec![("c", vec!["b"]), ("a", vec![]), ("b", vec!["a", "zz"]), ("d", vec![])];
        let sorted = topological(items, |i| i.0, |i| i.1.clone());
        let names: Vec<&str> = sorted.iter().map(|i| i.0).collect();
        assert_eq!(names, vec!["a", "b", "d", "c"]);
    }

    #[test]
    fn cycles_do_not_lose_items() {
        let items = vec![("a", vec!["b"]), ("b", vec!["a"]), ("c", vec![])];
        let sorted = topological(items, |i| i.0, |i| i.1.clone());
        assert_eq!(sorted.len(), 3);
        assert_eq!(sorted[0].0, "c");
    }
}
