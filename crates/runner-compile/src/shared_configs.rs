//! One copy of each distinct node config: parsing hands nodes with identical resolved configs
//! the same `Arc`.
//!
//! Why: a resolved config is dbt's ~30-45 keys for the resource type plus what the project set,
//! about 5 KB per node as a map, and most nodes of a project share one of a few configs (the
//! tests of a project nearly all have the same one). At 1,000 models and 1,000 tests the copies
//! were the largest part of the process's memory.
//!
//! "Identical" includes key order, at every depth: the manifest writes configs in map order, and
//! two maps that only differ in order must stay two maps (`serde_json`'s own `==` ignores order).

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value as Json};

/// The configs seen so far, by an order-sensitive hash.
#[derive(Debug, Default)]
pub(crate) struct SharedConfigs {
    seen: Mutex<foldhash::HashMap<u64, Vec<Arc<Map<String, Json>>>>>,
}

impl SharedConfigs {
    /// Points `config` at the copy already seen when there is one, else remembers it.
    pub(crate) fn share(&self, config: &mut Arc<Map<String, Json>>) {
        let mut hasher = foldhash::fast::FixedState::default().build_hasher();
        hash_map(config, &mut hasher);
        let key = hasher.finish();
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = seen.entry(key).or_default();
        match bucket.iter().find(|c| same_map(c, config)) {
            Some(existing) => *config = existing.clone(),
            None => bucket.push(config.clone()),
        }
    }
}

fn hash_map(map: &Map<String, Json>, h: &mut impl Hasher) {
    map.len().hash(h);
    for (k, v) in map {
        k.hash(h);
        hash_json(v, h);
    }
}

fn hash_json(v: &Json, h: &mut impl Hasher) {
    std::mem::discriminant(v).hash(h);
    match v {
        Json::Null => {}
        Json::Bool(b) => b.hash(h),
        Json::Number(n) => n.hash(h),
        Json::String(s) => s.hash(h),
        Json::Array(items) => {
            items.len().hash(h);
            items.iter().for_each(|i| hash_json(i, h));
        }
        Json::Object(m) => hash_map(m, h),
    }
}

fn same_map(a: &Map<String, Json>, b: &Map<String, Json>) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, va), (kb, vb))| ka == kb && same_json(va, vb))
}

fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => same_map(x, y),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{Map, Value as Json, json};

    use super::SharedConfigs;

    fn config(v: Json) -> Arc<Map<String, Json>> {
        match v {
            Json::Object(m) => Arc::new(m),
            _ => unreachable!(),
        }
    }

    #[test]
    fn identical_configs_share_one_map() {
        let shared = SharedConfigs::default();
        let mut a = config(json!({"materialized": "view", "meta": {"x": 1}}));
        let mut b = config(json!({"materialized": "view", "meta": {"x": 1}}));
        shared.share(&mut a);
        shared.share(&mut b);
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn different_values_or_orders_stay_apart() {
        let shared = SharedConfigs::default();
        let mut a = config(json!({"materialized": "view", "meta": {"x": 1, "y": 2}}));
        let mut b = config(json!({"materialized": "table", "meta": {"x": 1, "y": 2}}));
        let mut c = config(json!({"materialized": "view", "meta": {"y": 2, "x": 1}}));
        let mut d = config(json!({"meta": {"x": 1, "y": 2}, "materialized": "view"}));
        for m in [&mut a, &mut b, &mut c, &mut d] {
            shared.share(m);
        }
        assert!(!Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert!(!Arc::ptr_eq(&a, &d));
        let keys: Vec<&String> = c["meta"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["y", "x"]);
    }
}
