//! The crate's error type: graph construction, selector parsing, selector evaluation and
//! `selectors.yml` problems, each variant carrying the offending id, selector text, cycle or file.

/// Everything that can go wrong building the DAG or selecting from it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Two nodes share one unique id.
    #[error("duplicate node unique_id `{unique_id}`")]
    DuplicateNode {
        /// The repeated unique id.
        unique_id: String,
    },
    /// A node depends on a unique id that is not in the graph.
    #[error("node `{node}` depends on `{parent}`, which is not in the graph")]
    UnknownParent {
        /// The node whose `depends_on` is wrong.
        node: String,
        /// The missing parent.
        parent: String,
    },
    /// The dependencies form a cycle.
    #[error("Found a cycle: {}", cycle.join(" -> "))]
    Cycle {
        /// The cycle in edge direction (parent before child), starting and ending with the
        /// lexicographically smallest unique id on it.
        cycle: Vec<String>,
    },
    /// A unique id passed to a graph query is not in the graph.
    #[error("no node `{unique_id}` in the graph")]
    UnknownNode {
        /// The id asked for.
        unique_id: String,
    },
    /// A selector string does not parse.
    #[error("invalid selector `{selector}`: {reason}")]
    InvalidSelector {
        /// The selector text as written.
        selector: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A selector parsed but its value is not acceptable for its method.
    #[error("invalid value in selector `{selector}`: {reason}")]
    InvalidMethodValue {
        /// The selector text as written.
        selector: String,
        /// What is wrong with the value.
        reason: String,
    },
    /// The method exists in dbt but is not implemented here yet (`state`, `result`, `source_status`).
    #[error("selector method `{method}` (in `{selector}`) is not supported yet")]
    UnsupportedMethod {
        /// The method name.
        method: String,
        /// The selector text as written.
        selector: String,
    },
    /// `selector:<name>` or `--selector <name>` names no selector in `selectors.yml`.
    #[error("no selector named `{name}` is defined{}", if available.is_empty() { String::new() } else { format!(" (available: {})", available.join(", ")) })]
    UnknownSelector {
        /// The name asked for.
        name: String,
        /// The selectors that are defined.
        available: Vec<String>,
    },
    /// Selectors refer to each other in a loop.
    #[error("selector `{}` refers to itself: {}", chain[0], chain.join(" -> "))]
    SelectorCycle {
        /// The chain of selector names, first repeated at the end.
        chain: Vec<String>,
    },
    /// `selectors.yml` is malformed.
    #[error("{file}: {}{message}", selector.as_ref().map(|s| format!("selector `{s}`: ")).unwrap_or_default())]
    SelectorsFile {
        /// The selectors file name as given.
        file: String,
        /// The selector the problem is in, when known.
        selector: Option<String>,
        /// What is wrong.
        message: String,
    },
}

impl GraphError {
    pub(crate) fn invalid(selector: &str, reason: impl Into<String>) -> Self {
        GraphError::InvalidSelector {
            selector: selector.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn bad_value(selector: &str, reason: impl Into<String>) -> Self {
        GraphError::InvalidMethodValue {
            selector: selector.to_owned(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_context() {
        let e = GraphError::Cycle {
            cycle: vec!["model.p.a".into(), "model.p.b".into(), "model.p.a".into()],
        };
        assert_eq!(
            e.to_string(),
            "Found a cycle: model.p.a -> model.p.b -> model.p.a"
        );
        let e = GraphError::SelectorsFile {
            file: "selectors.yml".into(),
            selector: Some("nightly".into()),
            message: "boom".into(),
        };
        assert_eq!(e.to_string(), "selectors.yml: selector `nightly`: boom");
        let e = GraphError::UnknownSelector {
            name: "x".into(),
            available: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            e.to_string(),
            "no selector named `x` is defined (available: a, b)"
        );
        let e = GraphError::SelectorCycle {
            chain: vec!["a".into(), "b".into(), "a".into()],
        };
        assert_eq!(e.to_string(), "selector `a` refers to itself: a -> b -> a");
    }
}
